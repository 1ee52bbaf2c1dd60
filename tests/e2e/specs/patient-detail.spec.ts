import { expectNoAxeViolations } from '../support/a11y';
import { Api, expect, fact, openPatients, people, screen, signIn, test, uniqueName } from '../support/app';

test.describe('one patient', () => {
  test('a care manager opens a patient, edits the details and sees them saved', async ({
    page,
    request,
  }) => {
    const api = await Api.signIn(request, people.supervisor);
    const carmen = await api.userByEmail(people.cm1.email);
    const family = uniqueName('Detail');
    const patient = await api.createPatient({
      given_name: 'Lucia',
      family_name: family,
      birth_date: '1975-02-03',
      phone: '503-555-0142',
      preferred_language: 'es',
      interpreter_needed: true,
      address: { line1: '12 River St', city: 'Portland', state: 'OR', postal_code: '97201' },
      insurance: { payer: 'Oregon Health Plan (CareOregon)', member_id: 'ORE-1234', medicaid: true },
      identifiers: [{ system: 'urn:riverside:ehr:mrn', value: `MRN-${family.toUpperCase()}` }],
      status: 'active',
      risk_level: 'moderate',
      primary_care_manager_id: carmen.id,
    });

    await signIn(page, people.cm1);
    await openPatients(page);
    await page.getByRole('searchbox', { name: 'Search patients' }).fill(family);
    await page.getByRole('link', { name: `${family}, Lucia` }).click();
    await expect(page).toHaveURL(`/patients/${patient.id}`);

    const name = `${family}, Lucia`;
    await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
    await expect(page).toHaveTitle(`${name} · Care Manager`);
    const summary = page.locator('.patient-summary');
    await expect(summary).toContainText('Active');
    await expect(summary).toContainText('Moderate risk');
    await expect(summary).toContainText('Interpreter: Spanish');
    const demographics = page.getByRole('region', { name: 'Demographics', exact: true });
    await expect(demographics).toContainText('Lucia');
    await expect(demographics).toContainText('Female');
    const contact = page.getByRole('region', { name: 'Contact', exact: true });
    await expect(fact(contact, 'Phone')).toHaveText('503-555-0142');
    await expect(contact).toContainText('12 River St');
    await expect(page.getByRole('region', { name: 'Insurance', exact: true })).toContainText('ORE-1234');
    const identifiers = page.getByRole('region', { name: 'Identifiers', exact: true });
    await expect(identifiers).toContainText(`MRN-${family.toUpperCase()}`);
    await expect(page.getByRole('region', { name: 'Care manager', exact: true })).toContainText('Carmen Ruiz');
    const record = page.getByRole('region', { name: 'Record', exact: true });
    await expect(fact(record, 'Version')).toHaveText('1');
    await screen(page, 'patient-detail');

    await page.getByRole('button', { name: 'Edit details' }).click();
    await expect(page.getByRole('heading', { name: 'Edit patient details' })).toBeFocused();
    await expect(page.getByLabel('Given name')).toHaveValue('Lucia');
    await expect(page.getByLabel('Phone')).toHaveValue('503-555-0142');
    await page.getByLabel('Phone').fill('503-555-0177');
    await page.getByLabel('Preferred name').fill('Lulu');
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Please correct the highlighted fields' })).toContainText(
      'Email is not a valid email address.',
    );
    await expect(page.getByLabel('Email')).toBeFocused();
    await screen(page, 'patient-edit-invalid');

    await page.getByLabel('Email').fill('lucia@mail.test');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Changes saved.' })).toBeVisible();
    await expect(page.getByRole('heading', { name: `${family}, Lucia “Lulu”`, level: 1 })).toBeVisible();
    await expect(fact(contact, 'Phone')).toHaveText('503-555-0177');
    await expect(fact(contact, 'Email')).toHaveText('lucia@mail.test');
    await expect(fact(record, 'Version')).toHaveText('2');
    await screen(page, 'patient-edited');

    // The change is really stored.
    const stored = await api.getPatient(patient.id);
    expect(stored.phone).toBe('503-555-0177');
    expect(stored.email).toBe('lucia@mail.test');
    expect(stored.version).toBe(2);

    // Cancelling an edit changes nothing.
    await page.getByRole('button', { name: 'Edit details' }).click();
    await page.getByLabel('Phone').fill('503-555-0000');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(fact(contact, 'Phone')).toHaveText('503-555-0177');
    await expect(fact(record, 'Version')).toHaveText('2');
  });

  test('closing a case asks for a reason and records the new status', async ({ page, request }) => {
    const api = await Api.signIn(request, people.supervisor);
    const family = uniqueName('Close');
    const patient = await api.createPatient({ given_name: 'Oscar', family_name: family, status: 'active' });

    await signIn(page, people.cm2);
    await page.goto(`/patients/${patient.id}`);
    const card = page.getByRole('region', { name: 'Case status', exact: true });
    await expect(card).toContainText('Active');
    await card.getByLabel('Move case to').selectOption({ label: 'Closed' });
    await card.getByRole('button', { name: 'Change status' }).click();
    await expect(card.getByText('A reason is required when closing or reopening a case.')).toBeVisible();
    await expect(card.getByLabel('Reason')).toBeFocused();
    await expectNoAxeViolations(page, 'case-status-reason-required');

    await card.getByLabel('Reason').fill('Moved out of the service area');
    await card.getByRole('button', { name: 'Change status' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Case status changed to Closed.' })).toBeVisible();
    await expect(card).toContainText('Reason: Moved out of the service area');
    await expect(page.locator('.patient-summary')).toContainText('Closed');
    await screen(page, 'patient-closed');
    expect((await api.getPatient(patient.id)).status).toBe('closed');
  });

  test('a supervisor reassigns the care manager', async ({ page, request }) => {
    const api = await Api.signIn(request, people.supervisor);
    const patient = await api.createPatient({ given_name: 'Nadia', family_name: uniqueName('Assign') });

    await signIn(page, people.supervisor);
    await page.goto(`/patients/${patient.id}`);
    const card = page.getByRole('region', { name: 'Care manager', exact: true });
    await expect(card).toContainText('Unassigned');
    await card.getByLabel('Assign to').selectOption({ label: 'Priya Shah (Care manager)' });
    await card.getByRole('button', { name: 'Assign care manager' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Care manager set to Priya Shah.' })).toBeVisible();
    await expect(card.locator('.big-fact')).toHaveText('Priya Shah');
    await screen(page, 'patient-reassigned');
  });

  test('an address that leads to no patient says so', async ({ page }) => {
    await signIn(page, people.cm1);
    await page.goto('/patients/00000000-0000-4000-8000-000000000000');
    await expect(page.getByRole('alert').filter({ hasText: 'Not found' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Back to patients' })).toBeVisible();
    await screen(page, 'patient-not-found');

    await page.goto('/patients/not-a-patient-id');
    await expect(page.getByRole('alert').filter({ hasText: 'There is no patient at this address.' })).toBeVisible();
  });
});
