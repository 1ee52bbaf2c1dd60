// Huddles (issue 10): today's proposed agenda from the worklists, recording
// a huddle whose action item becomes a task on the worklist, and past
// huddles — every screen checked with axe, and the page on a 390 px phone.
import type { Locator, Page } from '@playwright/test';
import { expect, mainNav, people, test, uniqueName } from '../support/app';
import { CareApi, hoursFromNow, listName, screenshot, signInAs, worklistItem, type PatientRef } from '../support/care';
import { PHONE, expectNoSidewaysScroll } from '../support/phone';

type HuddleTask = { id: string; title: string; source_type: string; assignee_id: string | null; due_at: string };

/** Opens the huddle page from the main navigation. */
async function openHuddles(page: Page): Promise<void> {
  await mainNav(page).getByRole('link', { name: 'Huddles', exact: true }).click();
  await expect(page).toHaveURL(/\/huddles$/);
  await expect(page.getByRole('heading', { name: 'Huddles', level: 1 })).toBeVisible();
}

/** The agenda item about `patient`, loading more of the agenda until it shows. */
async function agendaItem(page: Page, patient: PatientRef): Promise<Locator> {
  const agenda = page.getByTestId('agenda');
  const items = agenda.getByTestId('agenda-item');
  const item = items.filter({ has: page.getByRole('link', { name: listName(patient), exact: true }) });
  const more = page.getByRole('button', { name: 'Load more of the agenda' });
  await expect(items.first()).toBeVisible();
  for (let i = 0; i < 40; i++) {
    if ((await item.count()) > 0 || !(await more.isVisible())) break;
    const before = await items.count();
    await more.click();
    await expect.poll(() => items.count()).toBeGreaterThan(before);
  }
  await expect(item).toHaveCount(1);
  return item;
}

test.describe('huddles', () => {
  test('a huddle records notes on a patient from the agenda and its action item becomes a task on the worklist', async ({
    page,
    request,
  }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Marisol', uniqueName('Huddle'), { risk_level: 'very_high' });
    await cm1.recordStay(patient, {
      facility: 'Providence Portland Medical Center',
      admitted_at: hoursFromNow(-30),
      discharged_at: hoursFromNow(-5),
    });

    await signInAs(page, people.cm1);
    await openHuddles(page);
    const item = await agendaItem(page, patient);
    await expect(item).toContainText('New discharge');
    await expect(item).toContainText('Discharged from Providence Portland Medical Center (ED)');
    await expect(item.getByRole('link', { name: 'Open the worklist' })).toHaveAttribute('href', '/worklist');
    await screenshot(page, 'huddles-agenda');

    await item.getByRole('checkbox', { name: `Discuss ${listName(patient)}` }).check();
    const form = page.getByRole('region', { name: 'Record the huddle' });
    await expect(form.getByRole('checkbox', { name: people.cm1.name })).toBeChecked();
    await form.getByLabel(`Notes on ${listName(patient)}`).fill('Home since this morning; no follow-up visit booked yet.');
    await form.getByRole('button', { name: 'Add action item' }).click();
    await expect(form.getByLabel('What to do')).toBeFocused();
    await form.getByLabel('What to do').fill('Book the 7-day follow-up visit');
    await expect(form.getByRole('combobox', { name: 'Patient', exact: true })).toHaveValue(patient.id);
    await screenshot(page, 'huddles-form');
    await form.getByRole('button', { name: 'Save huddle' }).click();

    const created = page.getByTestId('created-tasks');
    await expect(created).toContainText('1 task created');
    await expect(created.getByRole('link', { name: /Book the 7-day follow-up visit/ })).toHaveAttribute(
      'href',
      `/patients/${patient.id}`,
    );
    await expect(
      page.getByTestId('past-huddles').getByTestId('past-huddle').filter({ hasText: listName(patient) }),
    ).toContainText(
      'Home since this morning; no follow-up visit booked yet.',
    );
    await screenshot(page, 'huddles-saved');

    // The task exists, is the care manager's, and says where it came from.
    const tasks = (await cm1.tasks(patient)).filter((t) => (t as unknown as HuddleTask).source_type === 'huddle');
    expect(tasks).toHaveLength(1);
    const task = tasks[0] as unknown as HuddleTask;
    expect(task.title).toBe('Book the 7-day follow-up visit');
    expect(task.assignee_id).toBe(cm1.me.id);

    await mainNav(page).getByRole('link', { name: 'My worklist' }).click();
    const work = await worklistItem(page, listName(patient), 'Book the 7-day follow-up visit');
    await expect(work).toContainText('from the huddle of');
    await screenshot(page, 'huddles-task-on-worklist');
  });

  test('the huddle page fits a 390 px screen with no axe violations', async ({ page, request }) => {
    const supervisor = await CareApi.signIn(request, people.supervisor);
    const patient = await supervisor.createPatient('Ines', uniqueName('Phone'), { risk_level: 'high' });

    await page.setViewportSize(PHONE);
    await signInAs(page, people.supervisor);
    await openHuddles(page);
    const item = await agendaItem(page, patient);
    await expect(item).toContainText('High risk');
    await item.getByRole('checkbox', { name: `Discuss ${listName(patient)}` }).check();
    await page.getByRole('button', { name: 'Add action item' }).click();
    await expectNoSidewaysScroll(page, 'huddles');
    await screenshot(page, 'phone-huddles');
  });
});
