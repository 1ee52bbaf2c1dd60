import { Api, expect, people, screen, signIn, test, uniqueName } from '../support/app';

test.describe('the audit trail', () => {
  test('a supervisor follows a patient\'s audit trail and filters it by action and person', async ({
    page,
    request,
  }) => {
    const admin = await Api.signIn(request, people.admin);
    const family = uniqueName('Audit');
    const patient = await admin.createPatient({ given_name: 'Petra', family_name: family, phone: '503-555-0123' });
    await admin.updatePatient(patient, { phone: '503-555-0124' });

    await signIn(page, people.supervisor);
    await page.goto(`/patients/${patient.id}`);
    await expect(page.getByRole('heading', { name: `${family}, Petra`, level: 1 })).toBeVisible();
    await page.getByRole('link', { name: 'View audit trail' }).click();

    await expect(page).toHaveURL(`/audit?patient_id=${patient.id}`);
    await expect(page.getByRole('heading', { name: 'Audit trail', level: 1 })).toBeVisible();
    await expect(page.getByText('Showing events for one patient.')).toBeVisible();
    const table = page.getByRole('table', { name: 'Audit events' });
    const rows = table.locator('tbody tr');
    await expect(rows.filter({ hasText: 'Registered a patient' })).toContainText(people.admin.email);
    const changed = rows.filter({ hasText: 'Changed a patient' });
    await expect(changed).toContainText(people.admin.email);
    await expect(changed).toContainText('Fields: phone');
    await expect(rows.filter({ hasText: 'Viewed a patient' }).first()).toContainText(people.supervisor.email);
    // Newest first: the registration is the oldest event of this patient.
    await expect(rows.last()).toContainText('Registered a patient');
    await screen(page, 'audit-one-patient');

    await page.getByLabel('Action').selectOption({ label: 'Changed a patient' });
    await expect(rows).toHaveCount(1);
    await expect(rows).toContainText('Fields: phone');

    // The "Open" link leads back to the patient.
    await rows.getByRole('link', { name: 'Open' }).click();
    await expect(page).toHaveURL(`/patients/${patient.id}`);
    await page.goBack();
    await expect(page.getByText('Showing events for one patient.')).toBeVisible();

    await page.getByRole('link', { name: 'Show all events' }).click();
    await expect(page).toHaveURL(/\/audit$/);
    await expect(page.getByText('Showing events for one patient.')).toBeHidden();
    await page.getByLabel('Person').selectOption({ label: people.supervisor.name });
    await page.getByLabel('Action').selectOption({ label: 'Signed in' });
    await expect(rows.first()).toContainText(people.supervisor.email);
    await expect(rows.filter({ hasNotText: people.supervisor.email })).toHaveCount(0);
    await expect(rows.filter({ hasNotText: 'Signed in' })).toHaveCount(0);
    await screen(page, 'audit-filtered');
  });

  test('an admin sees failed sign-ins in the audit trail', async ({ page, request }) => {
    const res = await request.post('/api/v1/auth/login', {
      data: { email: people.cm3.email, password: 'definitely-wrong' },
    });
    expect(res.status()).toBe(401);
    // A successful sign-in resets the failure count again.
    await Api.signIn(request, people.cm3);

    await signIn(page, people.admin);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit trail' }).click();
    await page.getByLabel('Action').selectOption({ label: 'Failed sign-in' });
    const rows = page.getByRole('table', { name: 'Audit events' }).locator('tbody tr');
    await expect(rows.filter({ hasText: people.cm3.email }).first()).toContainText('Failed sign-in');
    await expect(rows.filter({ hasNotText: 'Failed sign-in' })).toHaveCount(0);
    await screen(page, 'audit-failed-sign-ins');
  });
});
