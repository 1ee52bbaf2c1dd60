import type { Locator, Page } from '@playwright/test';
import { expect, mainNav, people, screen, signIn, test, uniqueName } from '../support/app';
import { CareApi, hoursFromNow, listName, openMyWorklist, worklistItem } from '../support/care';
import { MAIN_NAV, PHONE, expectNoSidewaysScroll } from '../support/phone';

test.use({ viewport: PHONE });

/** Fails unless `target` is shown whole inside the window (after scrolling to it) and would take a click. */
async function expectInReach(target: Locator): Promise<void> {
  await expect(target).toBeVisible();
  await target.scrollIntoViewIfNeeded();
  await expect(target).toBeInViewport({ ratio: 1 });
  await target.click({ trial: true });
}

/** Every entry of the main navigation is in reach (the nav wraps; nothing hides off-screen). */
async function expectMainNavInReach(page: Page, entries: string[]): Promise<void> {
  const nav = mainNav(page);
  await expect(nav.getByRole('link')).toHaveText(entries);
  for (const entry of entries) {
    await expectInReach(nav.getByRole('link', { name: entry, exact: true }));
  }
  await expectInReach(page.getByRole('button', { name: 'Sign out' }));
}

/** The 390 px checks of one screen: no sideways scrolling, then the screenshot and axe (`screen`). */
async function expectFitsPhone(page: Page, name: string): Promise<void> {
  await expectNoSidewaysScroll(page, name);
  await screen(page, `phone-${name}`);
}

test.describe('on a 390 px wide screen', () => {
  test('the sign-in page and the not-found page fit and can be used', async ({ page }) => {
    await page.goto('/login');
    await expect(page.getByRole('heading', { name: 'Sign in', level: 1 })).toBeVisible();
    await expectInReach(page.getByLabel('Email'));
    await expectInReach(page.getByLabel('Password'));
    await expectInReach(page.getByRole('button', { name: 'Sign in' }));
    await expectFitsPhone(page, 'sign-in');

    // The errors of an empty form fit too.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('Enter your email address.')).toBeVisible();
    await expectFitsPhone(page, 'sign-in-missing-email');

    await page.goto('/no/such/page');
    await expect(page.getByRole('heading', { name: 'Page not found', level: 1 })).toBeVisible();
    await expectInReach(page.getByRole('link', { name: 'Go to patients' }));
    await expectFitsPhone(page, 'not-found');
  });

  test('a care manager works their worklist: the items and their forms fit', async ({ page, request }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Paloma', uniqueName('Phone'));
    await cm1.recordStay(patient, {
      facility: 'Providence Portland Medical Center',
      admitted_at: hoursFromNow(-30),
      discharged_at: hoursFromNow(-5),
    });

    await signIn(page, people.cm1);
    await openMyWorklist(page);
    await expectMainNavInReach(page, MAIN_NAV.careManager);
    const item = await worklistItem(page, listName(patient), 'Transition follow-up');
    await expectInReach(item.getByRole('link', { name: listName(patient) }));
    await expectInReach(item.getByRole('button', { name: 'Complete' }));
    await expectFitsPhone(page, 'worklist');

    await item.getByRole('button', { name: 'Complete' }).click();
    await expect(item.getByRole('checkbox', { name: 'Patient reached' })).toBeFocused();
    await expectInReach(item.getByRole('button', { name: 'Mark done' }));
    await expectFitsPhone(page, 'worklist-complete-form');
  });

  test('the patient list and the new-patient form fit, with their actions in reach', async ({ page }) => {
    await signIn(page, people.cm1);
    await mainNav(page).getByRole('link', { name: 'Patients', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Patients', level: 1 })).toBeVisible();
    await expect(page.getByText('Showing the first 25 patients')).toBeVisible();
    await expectMainNavInReach(page, MAIN_NAV.careManager);
    await expectInReach(page.getByRole('searchbox', { name: 'Search patients' }));
    await expectInReach(page.getByRole('link', { name: 'New patient' }));
    await expectInReach(page.getByRole('table', { name: 'Patients' }).getByRole('link').first());
    await expectFitsPhone(page, 'patients');

    await page.getByRole('link', { name: 'New patient' }).click();
    await expect(page.getByRole('heading', { name: 'New patient', level: 1 })).toBeVisible();
    await expectInReach(page.getByLabel('Given name'));
    await expectInReach(page.getByRole('button', { name: 'Create patient' }));
    await expectFitsPhone(page, 'new-patient');

    // With every field in error, the form still fits.
    await page.getByRole('button', { name: 'Create patient' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Please correct the highlighted fields' })).toBeVisible();
    await expectFitsPhone(page, 'new-patient-invalid');
  });

  test('every tab of a patient\'s record fits, with the record\'s tabs and each tab\'s action in reach', async ({
    page,
    request,
  }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Marisol', uniqueName('Narrow'), {
      phone: '503-555-0110',
      email: 'marisol.a.very.long.address.for.a.narrow.screen@example.org',
      address: { line1: '1234 Southeast Martin Luther King Jr Boulevard', city: 'Portland', state: 'OR', postal_code: '97214' },
      identifiers: [{ system: 'urn:riverside:ehr:mrn', value: `MRN-${uniqueName('').toUpperCase()}` }],
      risk_level: 'high',
    });
    await cm1.recordStay(patient, {
      facility: 'Legacy Good Samaritan Medical Center',
      admitted_at: hoursFromNow(-50),
      discharged_at: hoursFromNow(-6),
    });
    await cm1.createAppointment(patient, { provider_name: 'Jordan Lee, LCSW', scheduled_at: hoursFromNow(30) });
    // A signed note: its "Signed by <name> <date and time>" tag is the longest line of the record.
    const note = await cm1.post<{ id: string; version: number }>(`/api/v1/patients/${patient.id}/notes`, {
      type: 'outreach',
      minutes: 15,
      body: 'Called after the discharge; she has a ride to the follow-up appointment.',
    });
    await cm1.post(`/api/v1/notes/${note.id}/sign`, { version: note.version }, 200);

    await signIn(page, people.cm1);
    await page.goto(`/patients/${patient.id}`);
    await expect(page.getByRole('heading', { name: listName(patient), level: 1 })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Demographics' })).toBeVisible();
    await expectMainNavInReach(page, MAIN_NAV.careManager);
    const tabs = page.getByRole('navigation', { name: 'Patient record' });
    for (const tab of [
      'Overview',
      'Timeline',
      'Encounters',
      'Appointments',
      'Notes',
      'Screenings',
      'Care plan',
      'Education',
      'Referrals',
    ]) {
      await expectInReach(tabs.getByRole('link', { name: tab }));
    }
    await expectInReach(page.getByRole('button', { name: 'Edit details' }));
    await expectFitsPhone(page, 'patient-overview');

    await page.getByRole('button', { name: 'Edit details' }).click();
    await expect(page.getByRole('heading', { name: 'Edit patient details' })).toBeFocused();
    await expectInReach(page.getByRole('button', { name: 'Save changes' }));
    await expectFitsPhone(page, 'patient-edit');
    await page.getByRole('button', { name: 'Cancel' }).click();

    await tabs.getByRole('link', { name: 'Timeline' }).click();
    await expect(page.getByRole('heading', { name: 'Timeline', level: 2 })).toBeVisible();
    await expect(page.locator('ol.timeline > li').first()).toBeVisible();
    await expectFitsPhone(page, 'patient-timeline');

    await tabs.getByRole('link', { name: 'Encounters' }).click();
    await expect(page.getByRole('row').filter({ hasText: 'Legacy Good Samaritan Medical Center' })).toBeVisible();
    await expectInReach(page.getByRole('button', { name: 'Record admission or discharge' }));
    await expectFitsPhone(page, 'patient-encounters');
    await page.getByRole('button', { name: 'Record admission or discharge' }).click();
    await expect(page.getByLabel('Kind of stay')).toBeFocused();
    await expectInReach(page.getByRole('button', { name: 'Record stay' }));
    await expectFitsPhone(page, 'patient-encounters-form');

    await tabs.getByRole('link', { name: 'Appointments' }).click();
    await expect(page.getByRole('row').filter({ hasText: 'Jordan Lee, LCSW' })).toBeVisible();
    await expectInReach(page.getByRole('button', { name: 'Add appointment' }));
    await expectFitsPhone(page, 'patient-appointments');

    await tabs.getByRole('link', { name: 'Notes' }).click();
    const form = page.getByRole('form', { name: 'Write a note' });
    await expect(form).toBeVisible();
    await expect(page.locator('li.note-item').first()).toContainText(`Signed by ${people.cm1.name}`);
    await expectInReach(form.getByRole('button', { name: 'Save note' }));
    await expectFitsPhone(page, 'patient-notes');

    await tabs.getByRole('link', { name: 'Care plan' }).click();
    await expect(page.getByRole('heading', { name: 'No care plan yet' })).toBeVisible();
    await expectInReach(page.getByRole('button', { name: 'Create care plan' }));
    await expectFitsPhone(page, 'patient-care-plan');
    await page.getByRole('button', { name: 'Create care plan' }).click();
    const plan = page.getByRole('form', { name: 'Create the care plan' });
    await plan.getByRole('button', { name: 'Add goal' }).click();
    await expectInReach(plan.getByRole('button', { name: 'Create care plan' }));
    await expectFitsPhone(page, 'patient-care-plan-form');

    await tabs.getByRole('link', { name: 'Education' }).click();
    await expect(page.getByRole('heading', { name: 'Education', level: 2 })).toBeVisible();
    await expectInReach(page.getByRole('button', { name: 'Record education' }));
    await expectFitsPhone(page, 'patient-education');
  });

  test('a supervisor\'s team view and a member\'s worklist fit, with reassigning in reach', async ({ page, request }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Rocio', uniqueName('Team'));
    await cm1.recordStay(patient, {
      facility: 'Adventist Health Portland',
      admitted_at: hoursFromNow(-20),
      discharged_at: hoursFromNow(-2),
    });

    await signIn(page, people.supervisor);
    await mainNav(page).getByRole('link', { name: 'Team' }).click();
    await expect(page.getByRole('heading', { name: 'Team', level: 1 })).toBeVisible();
    await expectMainNavInReach(page, MAIN_NAV.supervisor);
    const member = page.getByRole('table', { name: 'Workload by person' }).getByRole('link', { name: people.cm1.name });
    await expectInReach(member);
    await expectFitsPhone(page, 'team');

    await member.click();
    await expect(page.getByRole('heading', { name: `Worklist of ${people.cm1.name}`, level: 1 })).toBeVisible();
    const item = await worklistItem(page, listName(patient), 'Transition follow-up');
    await expectInReach(item.getByRole('button', { name: 'Reassign' }));
    await expectFitsPhone(page, 'team-member-worklist');

    await item.getByRole('button', { name: 'Reassign' }).click();
    await expect(item.getByLabel('Assign to')).toBeFocused();
    await expectInReach(item.getByRole('button', { name: 'Reassign', exact: true }).last());
    await expectFitsPhone(page, 'team-reassign-form');
  });

  test('an admin\'s users, API keys and audit trail fit, dialogs included', async ({ page }) => {
    await signIn(page, people.admin);
    await mainNav(page).getByRole('link', { name: 'Users' }).click();
    await expect(page.getByRole('table', { name: 'Users' }).getByRole('row').nth(1)).toBeVisible();
    await expectMainNavInReach(page, MAIN_NAV.admin);
    await expectInReach(page.getByRole('button', { name: 'Add user' }));
    await expectFitsPhone(page, 'users');

    await page.getByRole('button', { name: 'Add user' }).click();
    const addUser = page.getByRole('dialog', { name: 'Add user' });
    await addUser.getByRole('button', { name: 'Add user' }).click();
    await expect(addUser.getByText('Name is required.')).toBeVisible();
    await expectInReach(addUser.getByRole('button', { name: 'Add user' }));
    await expectInReach(addUser.getByRole('button', { name: 'Cancel' }));
    await expectFitsPhone(page, 'add-user-dialog');
    await addUser.getByRole('button', { name: 'Cancel' }).click();
    await expect(addUser).toBeHidden();

    await mainNav(page).getByRole('link', { name: 'API keys' }).click();
    await expect(page.getByRole('heading', { name: 'API keys', level: 1 })).toBeVisible();
    await expectInReach(page.getByRole('button', { name: 'Create API key' }));
    await expectFitsPhone(page, 'api-keys');

    // A key made, its secret shown once, and revoked: the dialogs and the long "Revoked <when>" tag fit.
    await page.getByRole('button', { name: 'Create API key' }).click();
    const createKey = page.getByRole('dialog', { name: 'Create API key' });
    await expectInReach(createKey.getByRole('button', { name: 'Create key' }));
    await expectFitsPhone(page, 'create-api-key-dialog');
    const keyName = `Phone sync ${uniqueName('')}`;
    await createKey.getByLabel('Name').fill(keyName);
    await createKey.getByRole('checkbox', { name: /^Read patients/ }).check();
    await createKey.getByRole('button', { name: 'Create key' }).click();
    await expect(createKey.getByRole('textbox', { name: 'Your new API key' })).toBeFocused();
    await expectInReach(createKey.getByRole('textbox', { name: 'Your new API key' }));
    await expectInReach(createKey.getByRole('button', { name: 'Done' }));
    await expectFitsPhone(page, 'api-key-shown-once');
    await createKey.getByRole('button', { name: 'Done' }).click();
    await expect(createKey).toBeHidden();

    const revoke = page.getByRole('button', { name: `Revoke ${keyName}` });
    await expectInReach(revoke);
    await revoke.click();
    const confirm = page.getByRole('dialog', { name: `Revoke “${keyName}”?` });
    await expectInReach(confirm.getByRole('button', { name: 'Revoke key' }));
    await expectFitsPhone(page, 'revoke-api-key-dialog');
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await expect(page.getByRole('status').filter({ hasText: `The key “${keyName}” was revoked.` })).toBeVisible();
    await expect(page.getByRole('row', { name: new RegExp(keyName) })).toContainText('Revoked');
    await expectFitsPhone(page, 'api-keys-revoked');

    await mainNav(page).getByRole('link', { name: 'Audit trail' }).click();
    await expect(page.getByRole('heading', { name: 'Audit trail', level: 1 })).toBeVisible();
    await expect(page.getByRole('table', { name: 'Audit events' }).locator('tbody tr').first()).toBeVisible();
    await expectInReach(page.getByLabel('Action'));
    await expectInReach(page.getByLabel('Person'));
    await expectFitsPhone(page, 'audit');
  });
});
