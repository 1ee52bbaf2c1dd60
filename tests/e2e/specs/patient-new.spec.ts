import { Api, expect, openPatients, people, screen, signIn, test, uniqueName } from '../support/app';

test.describe('registering a patient', () => {
  test("missing fields are named before anything is sent, then the API's 422 field errors are shown and fixed", async ({
    page,
    request,
  }) => {
    // A care manager who leaves the organization while the form is open.
    const admin = await Api.signIn(request, people.admin);
    const leaverName = `Jordan ${uniqueName('Leaver')}`;
    const leaver = await admin.createUser({
      email: `${uniqueName('leaver')}@riverside.example`,
      name: leaverName,
      role: 'care_manager',
      password: 'a-long-enough-passphrase',
    });

    await signIn(page, people.admin);
    await openPatients(page);
    await page.getByRole('link', { name: 'New patient' }).click();
    await expect(page).toHaveURL(/\/patients\/new$/);
    await expect(page.getByRole('heading', { name: 'New patient', level: 1 })).toBeVisible();

    // Nothing filled in: the form says what is missing.
    let posts = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/v1/patients')) posts += 1;
    });
    await page.getByRole('button', { name: 'Create patient' }).click();
    const summary = page.getByRole('alert').filter({ hasText: 'Please correct the highlighted fields' });
    await expect(summary).toBeVisible();
    await expect(summary).toContainText('Given name is required.');
    await expect(summary).toContainText('Family name is required.');
    await expect(summary).toContainText('Date of birth is required.');
    const given = page.getByLabel('Given name');
    await expect(given).toBeFocused();
    await expect(given).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('Family name')).toHaveAttribute('aria-invalid', 'true');
    await screen(page, 'new-patient-missing-fields');
    expect(posts).toBe(0);

    // Filled in, with the leaving care manager chosen.
    const family = uniqueName('New');
    await given.fill('Rosalind');
    await page.getByLabel('Family name').fill(family);
    await page.getByLabel('Date of birth').fill('1979-06-15');
    await page.getByLabel('Phone').fill('503-555-0199');
    await page.getByLabel('Risk level').selectOption({ label: 'High' });
    await page.getByLabel('Initial case status').selectOption({ label: 'Intake' });
    const careManager = page.getByLabel('Care manager');
    await careManager.selectOption({ label: leaverName });
    await expect(summary).toBeHidden();

    // Meanwhile the leaver is deactivated; the API refuses with a 422 naming the field.
    await admin.updateUser(leaver, { active: false });
    const refused = page.waitForResponse(
      (r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/patients'),
    );
    await page.getByRole('button', { name: 'Create patient' }).click();
    expect((await refused).status()).toBe(422);
    const message = 'Care manager is not an active care manager or supervisor in your organization.';
    await expect(summary).toContainText(message);
    await expect(careManager).toHaveAttribute('aria-invalid', 'true');
    await expect(careManager).toBeFocused();
    await expect(page.locator('#pf-primary_care_manager_id-error')).toHaveText(message);
    await expect(page).toHaveURL(/\/patients\/new$/);
    // What was typed is still there.
    await expect(given).toHaveValue('Rosalind');
    await screen(page, 'new-patient-server-422');

    // Choosing someone else clears the error; the patient is created.
    await careManager.selectOption({ label: people.cm2.name });
    await expect(careManager).not.toHaveAttribute('aria-invalid', 'true');
    await expect(summary).toBeHidden();
    await page.getByRole('button', { name: 'Create patient' }).click();

    await expect(page).toHaveURL(/\/patients\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('heading', { name: `${family}, Rosalind`, level: 1 })).toBeVisible();
    const status = page.getByRole('region', { name: 'Case status', exact: true });
    await expect(status).toContainText('Intake');
    await expect(page.getByRole('region', { name: 'Care manager', exact: true })).toContainText(people.cm2.name);
    await expect(page.getByRole('region', { name: 'Contact', exact: true })).toContainText('503-555-0199');
    await expect(page.locator('.patient-summary')).toContainText('High risk');
    await screen(page, 'new-patient-created');
  });

  test('an identifier that belongs to another patient is refused with a clear message', async ({
    page,
    request,
  }) => {
    const api = await Api.signIn(request, people.supervisor);
    const mrn = `MRN-${uniqueName('DUP').toUpperCase()}`;
    await api.createPatient({
      given_name: 'Existing',
      family_name: uniqueName('Owner'),
      identifiers: [{ system: 'urn:riverside:ehr:mrn', value: mrn }],
    });

    await signIn(page, people.cm1);
    await page.goto('/patients/new');
    await expect(page.getByText('You will be this patient\'s care manager.')).toBeVisible();
    await page.getByLabel('Given name').fill('Second');
    await page.getByLabel('Family name').fill(uniqueName('Copy'));
    await page.getByLabel('Date of birth').fill('1990-01-31');
    await page.getByRole('button', { name: 'Add identifier' }).click();
    await expect(page.getByLabel('System of identifier 1')).toBeFocused();
    await page.getByLabel('System of identifier 1').fill('urn:riverside:ehr:mrn');
    await page.getByLabel('Value of identifier 1').fill(mrn);
    await page.getByRole('button', { name: 'Create patient' }).click();

    const alert = page.getByRole('alert').filter({ hasText: 'Conflict with the current state' });
    await expect(alert).toBeVisible();
    await expect(alert).toContainText(mrn);
    await expect(page).toHaveURL(/\/patients\/new$/);
    await screen(page, 'new-patient-duplicate-identifier');

    // Removing the identifier lets the patient be registered.
    await page.getByRole('button', { name: 'Remove identifier 1' }).click();
    await page.getByRole('button', { name: 'Create patient' }).click();
    await expect(page).toHaveURL(/\/patients\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('region', { name: 'Care manager', exact: true })).toContainText(people.cm1.name);
  });
});
