// HL7 v2 identifier systems (issue 10): an admin maps an EHR's assigning
// authority to the identifier system patient records use, an ADT message
// from that authority then finds the client, a change someone else saved
// first is not overwritten — checked with axe, and on a 390 px wide phone.
import type { APIRequestContext, Page } from '@playwright/test';
import { expectNoAxeViolations } from '../support/a11y';
import { DEMO_PASSWORD, expect, mainNav, people, screen, signIn, test, uniqueName, type Person } from '../support/app';
import { CareApi } from '../support/care';
import { PHONE, expectNoSidewaysScroll } from '../support/phone';

const PATH = '/api/v1/integrations/hl7v2/identifier-systems';

async function bearer(request: APIRequestContext, who: Person): Promise<Record<string, string>> {
  const login = await request.post('/api/v1/auth/login', { data: { email: who.email, password: DEMO_PASSWORD } });
  expect(login.status()).toBe(200);
  return { Authorization: `Bearer ${(await login.json()).access_token}` };
}

/** An HL7 time stamp (UTC, with its offset) `hours` from now. */
function hl7Time(hours: number): string {
  const at = new Date(Date.now() + hours * 3600_000).toISOString();
  return `${at.slice(0, 19).replace(/[-:T]/g, '')}+0000`;
}

/** A segment from its numbered fields (the rest empty). */
function segment(name: string, fields: Record<number, string>): string {
  const last = Math.max(...Object.keys(fields).map(Number));
  const out = [name];
  for (let n = 1; n <= last; n++) out.push(fields[n] ?? '');
  return out.join('|');
}

/** An A03 (discharge from the ED) for the patient whose PID-3 is `pid3`. */
function discharge(control: string, pid3: string): string {
  return [
    `MSH|^~\\&|EPIC|E2E|CAREMGR|CM|${hl7Time(0)}||ADT^A03^ADT_A03|${control}|P|2.5.1`,
    segment('PID', { 1: '1', 3: pid3, 5: 'Okafor^Ada', 7: '19790614', 8: 'F' }),
    segment('PV1', { 1: '1', 2: 'E', 3: 'ED^^^Mercy ED', 19: `${control}-V`, 36: '01', 44: hl7Time(-12), 45: hl7Time(-1) }),
  ].join('\r');
}

/** The acknowledgment code (MSA-1) of an ER7 answer. */
function ackCode(ack: string): string {
  const msa = ack.split('\r').find((s) => s.startsWith('MSA|'));
  expect(msa, ack).toBeDefined();
  return msa!.split('|')[1];
}

async function openMappings(page: Page): Promise<void> {
  await mainNav(page).getByRole('link', { name: 'HL7 identifiers' }).click();
  await expect(page).toHaveURL(/\/admin\/hl7-identifier-systems$/);
  await expect(page.getByRole('heading', { name: 'HL7 identifier systems', level: 1 })).toBeVisible();
}

test.describe('HL7 identifier systems', () => {
  test('an admin maps an authority to a system and an ADT message from it then finds the client', async ({
    page,
    request,
  }) => {
    const authority = uniqueName('EHR').replace(/\W/g, '').toUpperCase();
    const system = `urn:e2e:${authority.toLowerCase()}:mrn`;
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Ada', uniqueName('Okafor'), {
      identifiers: [{ system, value: 'MRN-7731' }],
    });
    const feed = await bearer(request, people.cm1);
    const send = async (control: string) => {
      const res = await request.post('/api/v1/integrations/hl7v2', {
        headers: { ...feed, 'Content-Type': 'x-application/hl7-v2+er7' },
        data: discharge(control, `MRN-7731^^^${authority}^MR`),
      });
      expect(res.status()).toBe(200);
      return ackCode(await res.text());
    };
    // Unmapped, the authority is taken for the system itself: no client has that identifier.
    expect(await send(`${authority}-1`)).toBe('AE');

    await signIn(page, people.admin);
    await openMappings(page);
    await page.getByRole('button', { name: 'Add mapping' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a mapping' });
    await dialog.getByRole('button', { name: 'Save mapping' }).click();
    await expect(dialog.getByText('Assigning authority is required.')).toBeVisible();
    await expect(dialog.getByLabel('Assigning authority')).toBeFocused();
    await expectNoAxeViolations(page, 'add-mapping-invalid');

    await dialog.getByLabel('Assigning authority').fill(authority);
    await dialog.getByLabel('Identifier system').fill(system);
    await dialog.getByRole('button', { name: 'Save mapping' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('status').filter({ hasText: `Identifiers from ${authority} are now looked up under ${system}.` })).toBeVisible();
    const row = page.getByRole('row').filter({ hasText: authority });
    await expect(row).toContainText(system);
    await expectNoAxeViolations(page, 'hl7-identifier-systems');
    await screen(page, 'hl7-identifier-systems');

    // The same kind of message now finds the client and records the stay.
    expect(await send(`${authority}-2`)).toBe('AA');
    const stays = await cm1.get<{ items: { facility: string }[] }>(`/api/v1/encounters?patient_id=${patient.id}`);
    expect(stays.items).toHaveLength(1);

    // Someone changes the mapping after the page read it: saving the old one is refused.
    const admin = await bearer(request, people.admin);
    const current = await request.get(`${PATH}/${authority}`, { headers: admin });
    expect(current.status()).toBe(200);
    const changed = await request.put(`${PATH}/${authority}`, {
      headers: { ...admin, 'If-Match': (await current.headers())['etag'] },
      data: { system: `${system}:v2` },
    });
    expect(changed.status()).toBe(200);
    await row.getByRole('button', { name: `Change the system of ${authority}` }).click();
    const change = page.getByRole('dialog', { name: `Change the system of ${authority}` });
    await expect(change.getByLabel('Assigning authority')).toHaveCount(0);
    await change.getByLabel('Identifier system').fill(`${system}:mine`);
    await change.getByRole('button', { name: 'Save mapping' }).click();
    await expect(page.getByRole('alert').filter({ hasText: `The mapping of ${authority} was changed by someone else` })).toBeVisible();
    await expect(row).toContainText(`${system}:v2`);

    // With the latest version read, the change is saved.
    await row.getByRole('button', { name: `Change the system of ${authority}` }).click();
    await change.getByLabel('Identifier system').fill(system);
    await change.getByRole('button', { name: 'Save mapping' }).click();
    await expect(change).toBeHidden();
    await expect(row).not.toContainText(`${system}:v2`);
    await expect(row).toContainText(system);

    await page.setViewportSize(PHONE);
    await expectNoSidewaysScroll(page, 'hl7-identifier-systems-phone');
    await expectNoAxeViolations(page, 'hl7-identifier-systems-phone');
    await screen(page, 'phone-hl7-identifier-systems');
  });

  test('a care manager has no HL7 identifiers screen', async ({ page }) => {
    await signIn(page, people.cm1);
    await expect(mainNav(page).getByRole('link', { name: 'HL7 identifiers' })).toHaveCount(0);
    await page.goto('/admin/hl7-identifier-systems');
    await expect(page.getByRole('heading', { name: 'You do not have access to this page', level: 1 })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'HL7 identifier systems', level: 1 })).toHaveCount(0);
  });
});
