import { expectNoAxeViolations } from '../support/a11y';
import { expect, people, test, uniqueName } from '../support/app';
import {
  CareApi,
  hoursFromNow,
  listName,
  localInput,
  openMyWorklist,
  screenshot,
  signInAs,
  worklistItem,
} from '../support/care';

test.describe('a patient\'s record', () => {
  test('the record\'s tabs live in the address, so reload and Back keep the place', async ({ page, request }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Tess', uniqueName('Tabs'));
    await cm1.recordStay(patient, {
      facility: 'Providence St. Vincent',
      admitted_at: hoursFromNow(-20),
      discharged_at: hoursFromNow(-4),
    });

    await signInAs(page, people.cm1);
    await page.goto(`/patients/${patient.id}`);
    await expect(page.getByRole('heading', { name: listName(patient), level: 1 })).toBeVisible();
    const tabs = page.getByRole('navigation', { name: 'Patient record' });
    await expect(tabs.getByRole('link')).toHaveText([
      'Overview',
      'Timeline',
      'Encounters',
      'Appointments',
      'Notes',
      'Screenings',
      'Care plan',
      'Education',
      'Referrals',
    ]);
    await expect(tabs.getByRole('link', { name: 'Overview' })).toHaveAttribute('aria-current', 'page');

    await tabs.getByRole('link', { name: 'Timeline' }).click();
    await expect(page).toHaveURL(`/patients/${patient.id}/timeline`);
    await expect(tabs.getByRole('link', { name: 'Timeline' })).toHaveAttribute('aria-current', 'page');
    const timeline = page.locator('ol.timeline > li');
    const stays = timeline.filter({ has: page.locator('.timeline-kind', { hasText: 'Hospital / ED' }) });
    // Newest first: the discharge, then the admission.
    await expect(stays).toHaveCount(2);
    await expect(stays.nth(0)).toContainText('Discharged from Providence St. Vincent (ED)');
    await expect(stays.nth(1)).toContainText('Admitted to Providence St. Vincent (ED)');
    await expect(timeline.filter({ hasText: 'Transition follow-up created' })).toHaveCount(1);
    await expect(timeline.filter({ has: page.locator('.timeline-kind', { hasText: 'Alert' }) })).toContainText(
      'Discharge alert',
    );
    await screenshot(page, 'patient-timeline');

    await page.reload();
    await expect(page.getByRole('heading', { name: 'Timeline', level: 2 })).toBeVisible();
    await expect(tabs.getByRole('link', { name: 'Timeline' })).toHaveAttribute('aria-current', 'page');

    await tabs.getByRole('link', { name: 'Encounters' }).click();
    await expect(page).toHaveURL(`/patients/${patient.id}/encounters`);
    await page.goBack();
    await expect(page).toHaveURL(`/patients/${patient.id}/timeline`);
    await expect(page.getByRole('heading', { name: 'Timeline', level: 2 })).toBeVisible();
    await page.goBack();
    await expect(page).toHaveURL(`/patients/${patient.id}`);
    await expect(page.getByRole('region', { name: 'Demographics' })).toBeVisible();
  });

  test('the overview shows open alerts to acknowledge and open tasks, and adds care team members and contacts', async ({
    page,
    request,
  }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Olga', uniqueName('Overview'));
    await cm1.recordStay(patient, {
      kind: 'bhcc',
      facility: 'Willamette Crisis Center',
      admitted_at: hoursFromNow(-30),
      discharged_at: hoursFromNow(-6),
    });

    await signInAs(page, people.cm1);
    await page.goto(`/patients/${patient.id}`);

    const alerts = page.getByRole('region', { name: /Open alerts/ });
    const discharge = alerts.getByRole('listitem').filter({ hasText: 'Discharged from Willamette Crisis Center' });
    await expect(discharge).toBeVisible();
    const tasks = page.getByRole('region', { name: /Open tasks/ });
    await expect(tasks.getByRole('heading', { level: 3 })).toHaveText([
      'Transition follow-up: Transition follow-up after crisis center discharge from Willamette Crisis Center',
    ]);
    await expect(tasks).toContainText('Assigned to Carmen Ruiz');

    // Care team: someone outside the organization needs a name.
    const team = page.getByRole('region', { name: 'Care team' });
    await team.getByRole('button', { name: 'Add team member' }).click();
    await expect(team.getByLabel('Person in the organization')).toBeFocused();
    await team.getByLabel('Role on the team').selectOption({ label: 'PCP' });
    await team.getByRole('button', { name: 'Add to care team' }).click();
    await expect(team.getByText(/^Name is required/)).toBeVisible();
    await expectNoAxeViolations(page, 'care-team-form-invalid');
    await team.getByLabel('Name').fill('Dr. Ana Alvarez');
    await team.getByLabel('Organization', { exact: true }).fill('Eastside Family Medicine');
    await team.getByLabel('Phone').fill('503-555-0150');
    await team.getByRole('button', { name: 'Add to care team' }).click();
    await expect(team.getByRole('status')).toContainText('Dr. Ana Alvarez added to the care team as PCP.');
    await expect(team.getByRole('listitem').filter({ hasText: 'Dr. Ana Alvarez' })).toContainText('Eastside Family Medicine');

    // Contacts, with what the patient consented to share.
    const contacts = page.getByRole('region', { name: 'Contacts' });
    await contacts.getByRole('button', { name: 'Add contact' }).click();
    await contacts.getByRole('button', { name: 'Save contact' }).click();
    await expect(contacts.getByText('Relationship must be chosen.')).toBeVisible();
    await contacts.getByLabel('Name').fill('Rosa Lopez');
    await contacts.getByLabel('Relationship').selectOption({ label: 'Sibling' });
    await contacts.getByLabel('Phone').fill('not a phone');
    await contacts.getByRole('button', { name: 'Save contact' }).click();
    await expect(contacts.getByText(/^Phone /)).toBeVisible();
    await expect(contacts.getByLabel('Phone')).toHaveAttribute('aria-invalid', 'true');
    await expectNoAxeViolations(page, 'contact-form-invalid');
    await contacts.getByLabel('Phone').fill('503-555-0177');
    await contacts.getByLabel('Emergency contact').check();
    await contacts.getByLabel('Consent to share').selectOption({ label: 'Appointments and logistics' });
    await contacts.getByRole('button', { name: 'Save contact' }).click();
    await expect(contacts.getByRole('status')).toContainText('Rosa Lopez added to the contacts.');
    const rosa = contacts.getByRole('listitem').filter({ hasText: 'Rosa Lopez' });
    await expect(rosa).toContainText('Sibling');
    await expect(rosa).toContainText('Emergency contact');
    await expect(rosa).toContainText('May share appointments and logistics');
    await screenshot(page, 'patient-overview');

    // Acknowledging an alert takes it off the open list.
    await discharge.getByRole('button', { name: 'Acknowledge' }).click();
    await expect(alerts.getByRole('status')).toContainText('Acknowledged: Discharged from Willamette Crisis Center');
    await expect(alerts.getByRole('listitem').filter({ hasText: 'Willamette Crisis Center' })).toHaveCount(0);
    await page.reload();
    await expect(page.getByRole('region', { name: /Open alerts/ }).getByText('No open alerts.')).toBeVisible();
  });

  test('a care manager writes and signs a note; then it cannot be edited, only amended with an addendum', async ({
    page,
    request,
  }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Nina', uniqueName('Notes'));

    await signInAs(page, people.cm1);
    await page.goto(`/patients/${patient.id}`);
    await page.getByRole('navigation', { name: 'Patient record' }).getByRole('link', { name: 'Notes' }).click();
    await expect(page).toHaveURL(`/patients/${patient.id}/notes`);

    const form = page.getByRole('form', { name: 'Write a note' });
    await form.getByLabel('Activity').selectOption({ label: 'Outreach' });
    await form.getByRole('button', { name: 'Save note' }).click();
    await expect(form.getByText('Minutes is required.')).toBeVisible();
    await expect(form.getByText('Note is required.')).toBeVisible();
    await expectNoAxeViolations(page, 'note-form-invalid');
    await form.getByLabel('Minutes spent').fill('20');
    await form.getByRole('textbox', { name: 'Note', exact: true }).fill('Called about the discharge plan; left a message.');
    await form.getByRole('button', { name: 'Save note' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Note saved as a draft.' })).toBeVisible();

    const note = page.locator('li.note-item').filter({ hasText: 'Called about the discharge plan' });
    await expect(note.getByRole('heading', { level: 3 })).toContainText('Outreach');
    await expect(note).toContainText('Carmen Ruiz · 20 minutes');
    await expect(note).toContainText('Draft, not signed');

    // A draft can still be edited by its author.
    await note.getByRole('button', { name: 'Edit note' }).click();
    await note.getByLabel('Minutes spent').fill('25');
    await note.getByRole('textbox', { name: 'Note', exact: true }).fill('Called about the discharge plan; reached her sister.');
    await expectNoAxeViolations(page, 'note-edit');
    await note.getByRole('button', { name: 'Save changes' }).click();
    await expect(note.getByRole('status')).toContainText('Changes saved. The note is still a draft.');
    await expect(note).toContainText('25 minutes');
    await expect(note.locator('.note-body')).toHaveText('Called about the discharge plan; reached her sister.');

    // Signing is final.
    await note.getByRole('button', { name: 'Sign note' }).click();
    await expect(note.getByText('Sign this note?')).toBeVisible();
    await expectNoAxeViolations(page, 'note-sign-confirm');
    await note.getByRole('button', { name: 'Sign now' }).click();
    await expect(note.getByRole('status')).toContainText('Signed. The note is now final');
    await expect(note).toContainText('Signed by Carmen Ruiz');
    await expect(note.getByRole('button', { name: 'Edit note' })).toHaveCount(0);
    await expect(note.getByRole('button', { name: 'Sign note' })).toHaveCount(0);
    await expect(note).toContainText('Signed notes are final');

    // The API refuses edits of a signed note too.
    const notes = await cm1.get<{ items: { id: string; version: number }[] }>(`/api/v1/patients/${patient.id}/notes`);
    const refused = await cm1.patchRaw(`/api/v1/notes/${notes.items[0].id}`, notes.items[0].version, { minutes: 5 });
    expect(refused.status()).toBe(409);

    // Corrections are addenda.
    await note.getByRole('button', { name: 'Add addendum' }).click();
    await expect(note.getByLabel('Addendum')).toBeFocused();
    await note.getByRole('button', { name: 'Save addendum' }).click();
    await expect(note.getByText('Addendum is required.')).toBeVisible();
    await expectNoAxeViolations(page, 'addendum-invalid');
    await note.getByLabel('Addendum').fill('Correction: it was her brother, not her sister.');
    await note.getByRole('button', { name: 'Save addendum' }).click();
    await expect(note.getByRole('status')).toContainText('Addendum added.');
    const addenda = note.getByRole('heading', { name: 'Addenda' }).locator('..');
    await expect(addenda).toContainText('Correction: it was her brother, not her sister.');
    await expect(addenda).toContainText('Carmen Ruiz');
    await expect(note.locator('.note-body').first()).toHaveText('Called about the discharge plan; reached her sister.');
    await screenshot(page, 'patient-notes');

    await page.reload();
    await expect(note).toContainText('Signed by Carmen Ruiz');
    await expect(note).toContainText('Correction: it was her brother');
  });

  test('a discharge recorded by hand puts a transition follow-up on the worklist', async ({ page, request }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Hana', uniqueName('Stay'));
    const facility = `Riverside General ${uniqueName('')}`;

    await signInAs(page, people.cm1);
    await page.goto(`/patients/${patient.id}/encounters`);
    await expect(page.getByText('No hospital, ED or crisis-center stays recorded.')).toBeVisible();

    // First the admission …
    await page.getByRole('button', { name: 'Record admission or discharge' }).click();
    await expect(page.getByLabel('Kind of stay')).toBeFocused();
    await page.getByRole('button', { name: 'Record stay' }).click();
    await expect(page.getByText('Kind of stay must be chosen.')).toBeVisible();
    await expect(page.getByText('Admission time is required.')).toBeVisible();
    await expectNoAxeViolations(page, 'stay-form-invalid');
    await page.getByLabel('Kind of stay').selectOption({ label: 'Inpatient medical' });
    await page.getByLabel('Facility').fill(facility);
    await page.getByLabel('Admitted at').fill(localInput(new Date(Date.now() - 50 * 3600_000)));
    await page.getByRole('button', { name: 'Record stay' }).click();
    await expect(page.getByRole('status').filter({ hasText: `Admission to ${facility} recorded` })).toBeVisible();
    const row = page.getByRole('row').filter({ hasText: facility });
    await expect(row).toContainText('Still admitted');

    // … then the discharge, added to the same stay.
    await row.getByRole('button', { name: `Record discharge from ${facility}` }).click();
    const discharge = page.getByRole('form', { name: `Record the discharge from ${facility}` });
    await expect(discharge.getByLabel('Discharged at')).toBeFocused();
    await discharge.getByLabel('Discharged at').fill(localInput(new Date(Date.now() - 2 * 3600_000)));
    await discharge.getByLabel('Discharge disposition').fill('home with services');
    await screenshot(page, 'patient-encounters-discharge');
    await discharge.getByRole('button', { name: 'Save discharge' }).click();
    await expect(page.getByRole('status').filter({ hasText: `Discharge from ${facility} recorded` })).toContainText(
      "A transition follow-up is now on the care manager's worklist",
    );
    await expect(row).not.toContainText('Still admitted');
    await expect(row).toContainText('home with services');
    await screenshot(page, 'patient-encounters');

    await openMyWorklist(page);
    const item = await worklistItem(page, listName(patient), 'Transition follow-up');
    await expect(item.locator('.reason')).toContainText(`Discharged from ${facility} (inpatient medical)`);
    await expect(item.locator('.countdown')).toHaveText(/^due in 2[12] h$/);
    expect(Number(await item.locator('xpath=ancestor::section[@data-band]').getAttribute('data-band'))).toBe(2);
  });

  test('marking an appointment missed creates a follow-up on the worklist', async ({ page, request }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Ines', uniqueName('Appointment'));
    await cm1.createAppointment(patient, {
      kind: 'psychiatry',
      provider_name: 'Dr. Elena Vasquez',
      scheduled_at: hoursFromNow(-4),
      location: 'Riverside Clinic, Suite 200',
    });

    await signInAs(page, people.cm1);
    await page.goto(`/patients/${patient.id}/appointments`);

    // A new appointment through the form.
    await page.getByRole('button', { name: 'Add appointment' }).click();
    await page.getByLabel('Provider').fill('Jordan Lee, LCSW');
    await page.getByLabel('Kind').selectOption({ label: 'Therapy' });
    await page.getByLabel('Date and time').fill(localInput(new Date(Date.now() + 50 * 3600_000)));
    await expectNoAxeViolations(page, 'appointment-form');
    await page.getByRole('button', { name: 'Save appointment' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Appointment with Jordan Lee, LCSW' })).toBeVisible();
    const upcoming = page.getByRole('row').filter({ hasText: 'Jordan Lee, LCSW' });
    await expect(upcoming).toContainText('Upcoming');
    await expect(upcoming).toContainText('Scheduled');

    const past = page.getByRole('row').filter({ hasText: 'Dr. Elena Vasquez' });
    await expect(past).toContainText('Scheduled');
    await past.getByRole('button', { name: /^Mark missed/ }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Marked missed: Psychiatry appointment with Dr. Elena Vasquez' })).toContainText(
      "A missed-appointment follow-up is now on the care manager's worklist.",
    );
    await expect(past).toContainText('Missed');
    await expect(past).toContainText('Follow-up task');
    await expect(past.getByRole('button', { name: /^Mark attended/ })).toBeVisible();
    await screenshot(page, 'patient-appointments');

    await page.getByRole('navigation', { name: 'Patient record' }).getByRole('link', { name: 'Overview' }).click();
    await expect(page.getByRole('region', { name: /Open tasks/ })).toContainText(
      'Missed-appointment follow-up: Follow up on missed psychiatry appointment with Dr. Elena Vasquez',
    );

    await openMyWorklist(page);
    const item = await worklistItem(page, listName(patient), 'Missed-appointment follow-up');
    await expect(item.locator('.reason')).toContainText('Missed psychiatry appointment with Dr. Elena Vasquez');
    expect(Number(await item.locator('xpath=ancestor::section[@data-band]').getAttribute('data-band'))).toBe(3);
  });
});
