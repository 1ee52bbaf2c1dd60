// Webhooks (issue 10): an admin adds a webhook (its signing secret shown
// exactly once), a private target is refused, a discharge makes a delivery
// the admin sees with its status and replays, and the webhook is turned off
// and deleted — every screen checked with axe, and on a 390 px wide phone.
import type { APIRequestContext, Page } from '@playwright/test';
import { expectNoAxeViolations } from '../support/a11y';
import { DEMO_PASSWORD, expect, mainNav, people, screen, signIn, test, type Person } from '../support/app';
import { PHONE, expectNoSidewaysScroll } from '../support/phone';

/** A public address nothing answers on (TEST-NET-3): deliveries to it fail and are retried. */
const TARGET = 'https://203.0.113.10/hooks/e2e';

async function bearer(request: APIRequestContext, who: Person): Promise<Record<string, string>> {
  const login = await request.post('/api/v1/auth/login', { data: { email: who.email, password: DEMO_PASSWORD } });
  expect(login.status()).toBe(200);
  return { Authorization: `Bearer ${(await login.json()).access_token}` };
}

/** Records a discharge from Mercy ED for one of the care manager's patients. */
async function discharge(request: APIRequestContext): Promise<void> {
  const headers = await bearer(request, people.cm1);
  const patients = await request.get('/api/v1/patients?status=active&limit=1', { headers });
  expect(patients.status()).toBe(200);
  const patient = (await patients.json()).items[0].id;
  const now = Date.now();
  const stay = await request.post('/api/v1/encounters', {
    headers,
    data: {
      patient_id: patient,
      kind: 'ed',
      facility: 'Mercy ED',
      admitted_at: new Date(now - 20 * 3600_000).toISOString(),
      discharged_at: new Date(now - 3600_000).toISOString(),
    },
  });
  expect(stay.status()).toBe(201);
}

test.describe('webhooks', () => {
  test('an admin adds a webhook, sees its secret once, replays a delivery, turns it off and deletes it', async ({
    page,
    request,
  }) => {
    await signIn(page, people.admin);
    await mainNav(page).getByRole('link', { name: 'Webhooks' }).click();
    await expect(page).toHaveURL(/\/admin\/webhooks$/);
    await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();

    await page.getByRole('button', { name: 'Add webhook' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add webhook' });
    await dialog.getByRole('button', { name: 'Add webhook' }).click();
    await expect(dialog.getByText('Events must name at least one event.')).toBeVisible();
    await expectNoAxeViolations(page, 'add-webhook-invalid');

    // A loopback target is refused by the server, on the URL field.
    await dialog.getByLabel('URL').fill('http://127.0.0.1:9000/hooks');
    await dialog.getByRole('checkbox', { name: /^Discharge/ }).check();
    await dialog.getByRole('button', { name: 'Add webhook' }).click();
    await expect(dialog.getByText(/The URL must not be a loopback address/)).toBeVisible();

    await dialog.getByLabel('URL').fill(TARGET);
    await dialog.getByLabel('Description').fill('EHR inbox (e2e)');
    await dialog.getByRole('button', { name: 'Add webhook' }).click();
    await expect(dialog.getByRole('alert')).toContainText("Copy this signing secret now — you won't see it again");
    const secretBox = dialog.getByRole('textbox', { name: 'Signing secret' });
    await expect(secretBox).toBeFocused();
    const secret = await secretBox.inputValue();
    expect(secret.startsWith('whsec_')).toBe(true);
    await screen(page, 'webhook-secret-shown-once');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByText(secret)).toHaveCount(0);

    const row = page.getByRole('row', { name: new RegExp(TARGET.replace(/[/.]/g, '\\$&')) }).first();
    await expect(row).toContainText('Active');
    await expect(row).toContainText('encounter.discharged');
    await expect(row).toContainText('Ids and event facts');

    // A discharge makes a delivery; the admin sees it and replays it.
    await discharge(request);
    await row.getByRole('button', { name: `Deliveries to ${TARGET}` }).click();
    const deliveries = page.getByRole('table', { name: 'Deliveries' });
    const delivery = deliveries.getByRole('row').filter({ hasText: 'encounter.discharged' }).first();
    // Its first attempt (nothing answers there) is logged, with the next try.
    await expect(async () => {
      await page.getByRole('button', { name: 'Refresh deliveries' }).click();
      await expect(delivery).toContainText('Next try', { timeout: 1000 });
      await expect(delivery).not.toContainText('Not tried yet', { timeout: 1000 });
    }).toPass({ timeout: 30_000 });
    await expect(delivery).toContainText('Pending');
    await screen(page, 'webhook-deliveries');
    await deliveries.getByRole('button', { name: /^Replay encounter\.discharged/ }).first().click();
    await expect(page.getByRole('status').filter({ hasText: 'is being sent again' })).toBeVisible();

    await page.setViewportSize(PHONE);
    await expectNoSidewaysScroll(page, 'webhooks-phone');
    await screen(page, 'phone-webhooks');
    await page.setViewportSize({ width: 1280, height: 900 });

    await row.getByRole('button', { name: `Turn off ${TARGET}` }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Nothing is sent to' })).toBeVisible();
    await expect(row).toContainText('Off');

    await row.getByRole('button', { name: `Delete ${TARGET}` }).click();
    const confirm = page.getByRole('dialog', { name: `Delete the webhook to ${TARGET}?` });
    await expectNoAxeViolations(page, 'delete-webhook-confirm');
    await confirm.getByRole('button', { name: 'Delete webhook' }).click();
    await expect(page.getByRole('status').filter({ hasText: `The webhook to ${TARGET} was deleted.` })).toBeVisible();
    await expect(page.getByRole('row', { name: new RegExp(TARGET.replace(/[/.]/g, '\\$&')) })).toHaveCount(0);
  });

  test('a care manager has no webhooks screen', async ({ page }) => {
    await signIn(page, people.cm1);
    await expect(mainNav(page).getByRole('link', { name: 'Webhooks' })).toHaveCount(0);
  });
});
