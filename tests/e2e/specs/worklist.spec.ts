import { expectNoAxeViolations } from '../support/a11y';
import { expect, people, test, uniqueName } from '../support/app';
import {
  CareApi,
  hoursFromNow,
  listName,
  localDate,
  openMyWorklist,
  screenshot,
  signInAs,
  worklistItem,
} from '../support/care';

const RISK_RANK: Record<string, number> = { very_high: 0, high: 1, moderate: 2, low: 3 };

test.describe('my worklist', () => {
  test('a care manager sees transition follow-ups before missed appointments before other work, overdue first', async ({
    page,
    request,
  }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const late = await cm1.createPatient('Tomas', uniqueName('Overdue'));
    const recent = await cm1.createPatient('Tina', uniqueName('Recent'));
    const missed = await cm1.createPatient('Mara', uniqueName('Missed'));
    const other = await cm1.createPatient('Otto', uniqueName('Other'));
    const facility = `Mercy ED ${uniqueName('')}`;
    // Discharged 30 h ago: the 24-hour follow-up is 6 h overdue.
    await cm1.recordStay(late, { facility, admitted_at: hoursFromNow(-40), discharged_at: hoursFromNow(-30) });
    // Discharged 2 h ago: due in 22 h.
    await cm1.recordStay(recent, { facility, admitted_at: hoursFromNow(-8), discharged_at: hoursFromNow(-2) });
    const appt = await cm1.createAppointment(missed, { provider_name: 'Jordan Lee, LCSW', scheduled_at: hoursFromNow(-3) });
    await cm1.markMissed(appt);
    await cm1.createTask(other, { kind: 'outreach', title: 'Call about the housing application', due_at: hoursFromNow(48) });

    await signInAs(page, people.cm1);
    await openMyWorklist(page);

    const lateItem = await worklistItem(page, listName(late));
    const recentItem = await worklistItem(page, listName(recent));
    const missedItem = await worklistItem(page, listName(missed));
    await worklistItem(page, listName(other));

    // The why, the countdown and the overdue flag.
    await expect(lateItem).toContainText('Transition follow-up');
    await expect(lateItem.locator('.reason')).toContainText(`Discharged from ${facility} (ED)`);
    await expect(lateItem.locator('.reason')).toContainText('follow-up overdue by 6 h');
    await expect(lateItem.locator('.countdown')).toHaveText(/^overdue by (5|6) h$/);
    await expect(lateItem.getByText('Overdue', { exact: true })).toBeVisible();
    await expect(recentItem.locator('.countdown')).toHaveText(/^due in 2[12] h$/);
    await expect(recentItem.getByText('Overdue', { exact: true })).toHaveCount(0);
    await expect(missedItem.locator('.reason')).toContainText('Missed therapy appointment with Jordan Lee, LCSW');

    // Bands in order: transitions, then missed appointments, then everything else.
    const bandOf = async (item: typeof lateItem) =>
      Number(await item.locator('xpath=ancestor::section[@data-band]').getAttribute('data-band'));
    expect(await bandOf(lateItem)).toBe(2);
    expect(await bandOf(recentItem)).toBe(2);
    expect(await bandOf(missedItem)).toBe(3);
    expect(await bandOf(await worklistItem(page, listName(other)))).toBe(4);
    const bands = await page.locator('section[data-band]').evaluateAll((els) =>
      els.map((e) => Number(e.getAttribute('data-band'))),
    );
    expect(bands).toEqual([...bands].sort((a, b) => a - b));
    await expect(page.getByRole('heading', { name: /^Hospital, ED and crisis-center follow-ups/, level: 2 })).toBeVisible();
    await expect(page.getByRole('heading', { name: /^Missed-appointment follow-ups/, level: 2 })).toBeVisible();

    // Inside every band overdue work comes first (in band 4, within each risk level).
    for (const section of await page.locator('section[data-band]').all()) {
      const band = Number(await section.getAttribute('data-band'));
      const rows = await section.locator('li.work-item').evaluateAll((els) =>
        els.map((e) => ({ overdue: e.getAttribute('data-overdue') === 'true', risk: e.getAttribute('data-risk')! })),
      );
      const key = (r: { overdue: boolean; risk: string }) => (band === 4 ? RISK_RANK[r.risk] * 2 : 0) + (r.overdue ? 0 : 1);
      const keys = rows.map(key);
      expect(keys, `order inside band ${band}`).toEqual([...keys].sort((a, b) => a - b));
    }
    const inBand2 = page.locator('section[data-band="2"] li.work-item');
    const names = await inBand2.locator('h3').allTextContents();
    expect(names.indexOf(listName(late))).toBeLessThan(names.indexOf(listName(recent)));
    await screenshot(page, 'worklist');

    // The patient's name opens their record.
    await lateItem.getByRole('link', { name: listName(late) }).click();
    await expect(page).toHaveURL(`/patients/${late.id}`);
    await expect(page.getByRole('heading', { name: listName(late), level: 1 })).toBeVisible();
  });

  test('a transition follow-up is worked to done with its outcome and leaves the worklist', async ({ page, request }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Dalia', uniqueName('Discharged'));
    await cm1.recordStay(patient, {
      kind: 'inpatient_psych',
      facility: 'Cascade Behavioral Health',
      admitted_at: hoursFromNow(-72),
      discharged_at: hoursFromNow(-3),
      discharge_disposition: 'home',
    });

    await signInAs(page, people.cm1);
    await openMyWorklist(page);
    const item = await worklistItem(page, listName(patient), 'Transition follow-up');
    await expect(item.locator('.countdown')).toHaveText(/^due in 2[01] h$/);

    await item.getByRole('button', { name: 'Complete' }).click();
    await expect(item.getByRole('button', { name: 'Complete' })).toHaveAttribute('aria-expanded', 'true');
    const form = item.getByRole('group', { name: 'Transition follow-up outcome' });
    await expect(item.getByRole('checkbox', { name: 'Patient reached' })).toBeFocused();
    await form.getByRole('checkbox', { name: 'Patient reached' }).check();
    await form.getByRole('checkbox', { name: 'Follow-up appointment scheduled' }).check();
    // The shared rule catches a scheduled appointment without its date before anything is sent.
    await item.getByRole('button', { name: 'Mark done' }).click();
    await expect(item.getByText('Follow-up appointment date is required when a follow-up appointment is scheduled.')).toBeVisible();
    const date = localDate(3);
    await form.getByLabel('Follow-up appointment date').fill(date);
    await expect(item.getByText('Follow-up appointment date is required')).toHaveCount(0);
    await form.getByRole('checkbox', { name: 'Discharge instructions understood' }).check();
    await form.getByRole('checkbox', { name: 'Medications reviewed' }).check();
    await form.getByLabel('Needs found').fill('Needs a ride to the clinic');
    await item.getByLabel('Outcome notes').fill('Reached at home; doing well.');
    await screenshot(page, 'worklist-complete-transition');
    await item.getByRole('button', { name: 'Mark done' }).click();

    await expect(page.getByRole('status').filter({ hasText: `Done: Transition follow-up` })).toContainText(
      listName(patient),
    );
    await expect(page.locator('li.work-item').filter({ hasText: listName(patient) })).toHaveCount(0);

    const task = await cm1.taskOf(patient, 'transition_followup');
    expect(task.status).toBe('done');
    expect(task.outcome).toBe('Reached at home; doing well.');
    expect(task.transition_outcome).toEqual({
      patient_reached: true,
      followup_appointment_scheduled: true,
      followup_appointment_date: date,
      discharge_instructions_understood: true,
      medications_reviewed: true,
      needs_identified: 'Needs a ride to the clinic',
    });

    // Done stays done, also after a reload.
    await page.reload();
    await expect(page.getByRole('heading', { name: 'My worklist', level: 1 })).toBeVisible();
    await expect(page.locator('li.work-item').first()).toBeVisible();
    await expect(page.locator('li.work-item').filter({ hasText: listName(patient) })).toHaveCount(0);
  });

  test('an outreach attempt is logged in place and the task stays on the worklist, now in progress', async ({
    page,
    request,
  }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Nadia', uniqueName('Outreach'));
    const appt = await cm1.createAppointment(patient, {
      kind: 'psychiatry',
      provider_name: 'Dr. Elena Vasquez',
      scheduled_at: hoursFromNow(-5),
    });
    await cm1.markMissed(appt);

    await signInAs(page, people.cm1);
    await openMyWorklist(page);
    const item = await worklistItem(page, listName(patient), 'Missed-appointment follow-up');
    await expect(item.getByRole('button', { name: 'Start' })).toBeVisible();

    await item.getByRole('button', { name: 'Log outreach' }).click();
    await expect(item.getByLabel('Outcome')).toBeFocused();
    // Nothing chosen yet: the form says so beside the field.
    await item.getByRole('button', { name: 'Log attempt' }).click();
    await expect(item.getByText('Outcome must be chosen.')).toBeVisible();
    await expectNoAxeViolations(page, 'worklist-outreach-invalid');
    await expect(item.getByLabel('Method')).toHaveValue('phone');
    await item.getByLabel('Outcome').selectOption({ label: 'Left message' });
    await item.getByLabel('Notes').fill('Voicemail; will call back after 3 pm.');
    await item.getByRole('button', { name: 'Log attempt' }).click();

    await expect(item.getByRole('status')).toContainText('Outreach attempt logged: Phone, left message.');
    await expect(item.getByRole('button', { name: 'Log outreach' })).toBeFocused();
    await expect(item).toContainText('1 outreach attempt, 1 reached no one');
    await expect(item.getByText('In progress', { exact: true })).toBeVisible();
    await expect(item.getByRole('button', { name: 'Start' })).toHaveCount(0);
    await screenshot(page, 'worklist-outreach-logged');

    const attempts = await cm1.get<{ items: { task_id: string; outcome: string; notes: string }[] }>(
      `/api/v1/patients/${patient.id}/outreach-attempts`,
    );
    const task = await cm1.taskOf(patient, 'missed_appointment_followup');
    expect(attempts.items).toHaveLength(1);
    expect(attempts.items[0]).toMatchObject({
      task_id: task.id,
      outcome: 'left_message',
      notes: 'Voicemail; will call back after 3 pm.',
    });
    expect(task.status).toBe('in_progress');
  });

  test('a task someone else changed meanwhile is reloaded and nothing is overwritten', async ({ page, request }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Ciro', uniqueName('Conflict'));
    await cm1.createTask(patient, { kind: 'custom', title: 'Send the benefits form', due_at: hoursFromNow(-1) });

    await signInAs(page, people.cm1);
    await openMyWorklist(page);
    const item = await worklistItem(page, listName(patient), 'Send the benefits form');
    await item.getByRole('button', { name: 'Cancel task' }).click();
    await item.getByRole('button', { name: 'Cancel this task' }).click();
    await expect(item.getByText('Reason is required to cancel a task.')).toBeVisible();
    await expectNoAxeViolations(page, 'worklist-cancel-invalid');
    await item.getByLabel('Reason').fill('Form no longer needed');

    // Meanwhile the same task is started elsewhere.
    const task = await cm1.taskOf(patient, 'custom');
    await cm1.updateTask(task, { status: 'in_progress' });

    await item.getByRole('button', { name: 'Cancel this task' }).click();
    const alert = item.getByRole('alert');
    await expect(alert).toContainText('This task was changed by someone else');
    await expect(alert).toContainText('Nothing was saved.');
    await expect(item.getByText('In progress', { exact: true })).toBeVisible();
    await expect(item.getByLabel('Reason')).toHaveValue('Form no longer needed');
    expect((await cm1.taskOf(patient, 'custom')).status).toBe('in_progress');
    await screenshot(page, 'worklist-conflict');

    // With the latest version loaded, cancelling works.
    await item.getByRole('button', { name: 'Cancel this task' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Cancelled: Send the benefits form' })).toBeVisible();
    await expect(page.locator('li.work-item').filter({ hasText: listName(patient) })).toHaveCount(0);
    const cancelled = await cm1.taskOf(patient, 'custom');
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.cancel_reason).toBe('Form no longer needed');
  });
});
