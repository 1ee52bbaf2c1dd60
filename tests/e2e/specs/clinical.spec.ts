// Clinical screens: the risk card with its manual override, gaps in care and
// the chart review that turns them into tasks, the versioned care plan (edit,
// versions and what changed) and patient education — each checked with axe,
// and on a 390 px screen.
import type { APIRequestContext, Page } from '@playwright/test';
import { expectNoAxeViolations } from '../support/a11y';
import { DEMO_PASSWORD, expect, people, test, uniqueName, type Person } from '../support/app';
import { CareApi, listName, localDate, screenshot, signInAs, type PatientRef } from '../support/care';
import { PHONE, expectNoSidewaysScroll } from '../support/phone';

type Risk = {
  level: string;
  computed_level: string;
  points: number;
  override: { level: string; reason: string; until: string } | null;
};
type CarePlan = { id: string; version: number; goals: { id: string; text: string }[] };
type EducationRecord = { title: string; language: string; method: string };

/** PUT with a bearer token (CareApi has no PUT): creates or saves a care plan. */
async function putCarePlan(
  request: APIRequestContext,
  who: Person,
  patient: PatientRef,
  plan: unknown,
  version?: number,
): Promise<CarePlan> {
  const login = await request.post('/api/v1/auth/login', { data: { email: who.email, password: DEMO_PASSWORD } });
  const token = (await login.json()).access_token as string;
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (version !== undefined) headers['If-Match'] = `W/"${version}"`;
  const res = await request.put(`/api/v1/patients/${patient.id}/care-plan`, { headers, data: plan });
  expect(res.status(), await res.text()).toBe(version === undefined ? 201 : 200);
  return res.json();
}

async function openTab(page: Page, patient: PatientRef, path: string, tab: string): Promise<void> {
  await page.goto(`/patients/${patient.id}/${path}`);
  await expect(page.getByRole('heading', { name: tab, level: 2 })).toBeVisible();
  await expect(
    page.getByRole('navigation', { name: 'Patient record' }).getByRole('link', { name: tab, exact: true }),
  ).toHaveAttribute('aria-current', 'page');
}

test.describe('clinical screens', () => {
  test('a care plan is created, a goal changed into version 2, and version 1 shows the old goal and what changed', async ({
    page,
    request,
  }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Lucia', uniqueName('Plan'));
    const oldGoal = 'PHQ-9 below 10 within three months';
    const newGoal = 'PHQ-9 below 5 within six months';

    await signInAs(page, people.cm1);
    await openTab(page, patient, 'care-plan', 'Care plan');
    await expect(page.getByTestId('no-care-plan')).toContainText('No care plan yet');
    await screenshot(page, 'care-plan-none');

    await page.getByRole('button', { name: 'Create care plan' }).click();
    const form = page.getByRole('form', { name: 'Create the care plan' });
    await expect(form).toBeVisible();
    await form.getByRole('button', { name: 'Add need' }).click();
    const need = form.getByRole('group', { name: 'Need 1' });
    await expect(need.getByLabel('Domain')).toBeFocused();
    await need.getByLabel('Domain').selectOption({ label: 'Behavioral health' });
    await need.getByLabel('Description').fill('Depression, PHQ-9 of 16');
    await form.getByRole('button', { name: 'Add goal' }).click();
    const goal = form.getByRole('group', { name: 'Goal 1' });
    await goal.getByRole('textbox', { name: 'Goal', exact: true }).fill(oldGoal);
    await goal.getByLabel('Measure').selectOption({ label: 'PHQ-9' });
    await goal.getByLabel('Value').fill('10');

    // Saving without the goal's target date or the patient's name names both.
    await form.getByRole('button', { name: 'Create care plan' }).click();
    const summary = page.getByRole('alert').filter({ hasText: 'Please correct the highlighted fields' });
    await expect(summary).toContainText('Goal 1: target date is required.');
    await expect(summary).toContainText('Participant 1: name is required.');
    await expect(goal.getByText('Target date is required.')).toBeVisible();
    await expectNoAxeViolations(page, 'care-plan-form-invalid');

    await goal.getByLabel('Target date').fill(localDate(90));
    await form.getByRole('button', { name: 'Add intervention' }).click();
    const intervention = form.getByRole('group', { name: 'Intervention 1' });
    await intervention.getByLabel('What will be done').fill('Weekly check-in call');
    await intervention.getByLabel('Name of who is responsible').fill(people.cm1.name);
    await intervention.getByLabel('How often').fill('weekly');
    const participant = form.getByRole('group', { name: 'Participant 1' });
    await participant.getByLabel('Name').fill(`${patient.given_name} ${patient.family_name}`);
    await participant.getByLabel('Agreed to the plan').check();
    await expect(participant.getByLabel('Agreed on')).toHaveValue(localDate(0));
    await screenshot(page, 'care-plan-create-form');
    await form.getByRole('button', { name: 'Create care plan' }).click();
    await expect(page.locator('#care-plan-notice')).toContainText('Care plan created (version 1).');
    await expect(page.getByTestId('plan-version-line')).toContainText('Version 1');
    await expect(page.locator('.plan-card')).toContainText(oldGoal);
    // The goal's measure is evaluated against the latest PHQ-9 (none yet).
    await expect(page.getByTestId('goal-evaluation')).toContainText('No PHQ-9 yet to measure against');

    // Version 2: the goal changes; ids are kept, so it is a change, not a swap.
    await page.getByRole('button', { name: 'Edit care plan' }).click();
    const edit = page.getByRole('form', { name: 'Edit the care plan' });
    await expect(edit.getByRole('group', { name: 'Goal 1' }).getByRole('textbox', { name: 'Goal', exact: true })).toHaveValue(oldGoal);
    await edit.getByRole('group', { name: 'Goal 1' }).getByRole('textbox', { name: 'Goal', exact: true }).fill(newGoal);
    await edit.getByRole('group', { name: 'Goal 1' }).getByLabel('Value').fill('5');
    await edit.getByRole('button', { name: 'Save care plan' }).click();
    await expect(page.locator('#care-plan-notice')).toContainText('Care plan saved as version 2.');
    await expect(page.locator('.plan-card')).toContainText(newGoal);
    await expect(page.locator('.plan-card')).not.toContainText(oldGoal);
    const stored = await cm1.get<CarePlan>(`/api/v1/patients/${patient.id}/care-plan`);
    expect(stored.version).toBe(2);
    expect(stored.goals.map((g) => g.text)).toEqual([newGoal]);
    await screenshot(page, 'care-plan-version-2');

    // Printed for the patient and family: the plan, without the app around it.
    await expect(page.getByRole('button', { name: 'Print' })).toBeVisible();
    await page.emulateMedia({ media: 'print' });
    await expect(page.getByRole('navigation', { name: 'Patient record' })).toBeHidden();
    await expect(page.getByRole('button', { name: 'Edit care plan' })).toBeHidden();
    await expect(page.getByRole('region', { name: 'Versions' })).toBeHidden();
    await expect(page.getByText(`Care plan for ${listName(patient)}`)).toBeVisible();
    await expect(page.locator('.plan-card')).toContainText(newGoal);
    await screenshot(page, 'care-plan-print');
    await page.emulateMedia({ media: 'screen' });

    // Version 1, read-only: the old goal, and what changed since.
    const versions = page.getByRole('region', { name: 'Versions' });
    await expect(versions.getByRole('button', { name: /^Version/ })).toHaveText(['Version 2 (current)', 'Version 1']);
    await versions.getByRole('button', { name: 'Version 1', exact: true }).click();
    const v1 = page.getByTestId('plan-version');
    await expect(v1.getByRole('heading', { name: 'Version 1', exact: true })).toBeVisible();
    const held = page.getByTestId('plan-version-content');
    await expect(held).toContainText(oldGoal);
    await expect(held).toContainText('Measure: PHQ-9 < 10');
    await expect(held).not.toContainText(newGoal);
    await expect(v1).toContainText('The plan was created.');
    const since = page.getByTestId('plan-changes-since');
    await expect(since).toContainText(`Goal “${oldGoal}”: text “${oldGoal}” → “${newGoal}”`);
    await expect(since).toContainText('measure PHQ-9 < 10 → PHQ-9 < 5');
    await screenshot(page, 'care-plan-version-1');

    // Version 2 lists the same change from version 1.
    await versions.getByRole('button', { name: 'Version 2 (current)' }).click();
    await expect(page.getByTestId('plan-version')).toContainText('Changes from version 1');
    await expect(page.getByTestId('plan-version')).toContainText(`text “${oldGoal}” → “${newGoal}”`);
  });

  test('someone saving the care plan first is a conflict that keeps what was typed', async ({ page, request }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Noor', uniqueName('PlanClash'));
    const plan = await putCarePlan(request, people.cm1, patient, {
      goals: [{ text: 'Attend therapy weekly', target_date: localDate(60) }],
      participants: [{ kind: 'patient', name: 'Noor', agreed: false }],
    });

    await signInAs(page, people.cm1);
    await openTab(page, patient, 'care-plan', 'Care plan');
    await page.getByRole('button', { name: 'Edit care plan' }).click();
    const edit = page.getByRole('form', { name: 'Edit the care plan' });
    await edit.getByRole('group', { name: 'Goal 1' }).getByRole('textbox', { name: 'Goal', exact: true }).fill('Attend therapy twice a week');

    // The supervisor saves version 2 meanwhile.
    await putCarePlan(
      request,
      people.supervisor,
      patient,
      {
        goals: [{ id: plan.goals[0].id, text: 'Attend therapy weekly', target_date: localDate(60) }],
        needs: [{ domain: 'housing', description: 'Behind on rent' }],
        participants: [{ kind: 'patient', name: 'Noor', agreed: false }],
      },
      1,
    );

    await edit.getByRole('button', { name: 'Save care plan' }).click();
    const warning = page.getByRole('alert').filter({ hasText: 'Someone else saved changes to this care plan' });
    await expect(warning).toBeVisible();
    await expect(warning).toContainText('nothing you typed is lost');
    await screenshot(page, 'care-plan-conflict');
    await warning.getByRole('button', { name: 'Load latest version' }).click();
    const loaded = page.getByRole('status').filter({ hasText: 'The latest version is loaded' });
    await expect(loaded).toContainText('Need added: “Behind on rent”');
    await expect(edit.getByRole('group', { name: 'Goal 1' }).getByRole('textbox', { name: 'Goal', exact: true })).toHaveValue(
      'Attend therapy twice a week',
    );
    await expect(edit.getByRole('group', { name: 'Need 1' }).getByLabel('Description')).toHaveValue('Behind on rent');
    await edit.getByRole('button', { name: 'Save care plan' }).click();
    await expect(page.locator('#care-plan-notice')).toContainText('Care plan saved as version 3.');
    const stored = await cm1.get<CarePlan & { needs: unknown[] }>(`/api/v1/patients/${patient.id}/care-plan`);
    expect(stored.goals.map((g) => g.text)).toEqual(['Attend therapy twice a week']);
    expect(stored.needs).toHaveLength(1);
  });

  test('a risk override with a reason shows beside the computed level', async ({ page, request }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Ines', uniqueName('Risk'));

    await signInAs(page, people.cm1);
    await page.goto(`/patients/${patient.id}`);
    const risk = page.getByRole('region', { name: 'Risk', exact: true });
    await expect(risk.getByTestId('risk-level')).toContainText('Low risk');
    await expect(risk.getByTestId('risk-computed')).toHaveCount(0);

    await risk.getByRole('button', { name: 'Override risk' }).click();
    const dialog = page.getByRole('dialog', { name: 'Override risk level' });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Save override' }).click();
    await expect(dialog.getByText('Reason is required.')).toBeVisible();
    await expect(dialog.getByText('The last day is required.')).toBeVisible();
    await expectNoAxeViolations(page, 'risk-override-invalid');

    const reason = 'Lost housing yesterday; not yet in any screening';
    await dialog.getByLabel('Risk level').selectOption({ label: 'High' });
    await dialog.getByLabel('Reason').fill(reason);
    await dialog.getByLabel('Until').fill(localDate(30));
    await screenshot(page, 'risk-override-dialog');
    await dialog.getByRole('button', { name: 'Save override' }).click();
    await expect(dialog).toBeHidden();
    await expect(risk.getByRole('status')).toContainText('Risk level set to High by override.');
    await expect(risk.getByTestId('risk-level')).toContainText('High risk');
    await expect(risk.getByTestId('risk-level')).toContainText('Overridden');
    await expect(risk.getByTestId('risk-computed')).toHaveText('Computed: Low (0 points)');
    const override = risk.getByTestId('risk-override');
    await expect(override).toContainText(reason);
    await expect(override).toContainText(`set by ${people.cm1.name}`);
    // The header shows the level in force, and the rise alerts the care team.
    await expect(page.locator('.patient-summary')).toContainText('High risk');
    await expect(page.getByRole('region', { name: /Open alerts/ })).toContainText('Risk increase');
    await screenshot(page, 'risk-overridden');

    const stored = await cm1.get<Risk>(`/api/v1/patients/${patient.id}/risk`);
    expect(stored).toMatchObject({ level: 'high', computed_level: 'low', override: { level: 'high', reason } });
  });

  test('a chart review turns two gaps into two tasks on the patient\'s record', async ({ page, request }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Pilar', uniqueName('Review'));
    await cm1.post(`/api/v1/patients/${patient.id}/screenings`, {
      instrument: 'gad7',
      administered_at: new Date(Date.now() - 2 * 24 * 3600 * 1000).toISOString(),
      answers: Object.fromEntries(Array.from({ length: 7 }, (_, i) => [String(i + 1), 2])),
    });

    await signInAs(page, people.cm1);
    await page.goto(`/patients/${patient.id}`);
    await expect(page.getByRole('heading', { name: listName(patient), level: 1 })).toBeVisible();
    const latest = page.getByRole('region', { name: 'Latest screenings' });
    await expect(latest.getByRole('listitem')).toHaveCount(1);
    await expect(latest).toContainText('GAD-7 Total 14 of 21 · Moderate');
    const gaps = page.getByRole('region', { name: /Gaps in care/ });
    await expect(gaps.getByRole('listitem').filter({ hasText: 'No care plan on record' })).toBeVisible();
    await expect(gaps.getByRole('listitem').filter({ hasText: 'No primary care provider on the care team' })).toBeVisible();
    await expect(gaps).toContainText('Suggested task: Write a care plan with the patient');
    const tasks = page.getByRole('region', { name: /Open tasks/ });
    await expect(tasks).not.toContainText('Write a care plan with the patient');
    await screenshot(page, 'gaps-in-care');

    await gaps.getByRole('button', { name: 'Record chart review' }).click();
    const form = page.getByRole('form', { name: 'Record a chart review' });
    await expect(form.getByLabel('Service use')).toBeFocused();
    await form.getByRole('button', { name: 'Record chart review' }).click();
    await expect(form.getByText('Engagement must be chosen.')).toBeVisible();
    await expect(form.getByText('Minutes is required.')).toBeVisible();
    await expect(form.getByText('Service use is required.')).toBeVisible();
    await expectNoAxeViolations(page, 'chart-review-invalid');

    await form.getByLabel('Service use').fill('ED visit last month; no PCP visit this year');
    await form.getByLabel('Engagement').selectOption({ label: 'Partially engaged' });
    await form.getByLabel('Plan adherence').selectOption({ label: 'No plan to follow' });
    await form.getByLabel('Summary').fill('Needs a plan and a primary care provider.');
    await form.getByLabel('Minutes spent').fill('20');
    await form.getByLabel('No care plan on record').check();
    await form.getByLabel('No primary care provider on the care team').check();
    await screenshot(page, 'chart-review-form');
    await form.getByRole('button', { name: 'Record chart review' }).click();
    await expect(gaps.getByRole('status')).toContainText('Chart review recorded: 2 tasks created.');

    // The two tasks are on the patient's record (the open-tasks card reloads).
    const created = [
      'Care plan review: Write a care plan with the patient',
      'Task: Connect the patient with a primary care provider',
    ];
    for (const title of created) {
      await expect(tasks.getByRole('heading', { name: title, level: 3 })).toBeVisible();
    }
    const stored = await cm1.tasks(patient);
    const titles = stored.map((t) => t.title);
    expect(titles.filter((t) => t === 'Write a care plan with the patient')).toHaveLength(1);
    expect(titles.filter((t) => t === 'Connect the patient with a primary care provider')).toHaveLength(1);
    await screenshot(page, 'chart-review-recorded');
  });

  test('education given is recorded and listed, newest first', async ({ page, request }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Hoa', uniqueName('Teach'), { preferred_language: 'vi' });

    await signInAs(page, people.cm1);
    await openTab(page, patient, 'education', 'Education');
    await expect(page.getByText('No education recorded yet.')).toBeVisible();
    await page.getByRole('button', { name: 'Record education' }).click();
    const form = page.getByRole('form', { name: 'Record education' });
    await expect(form.getByLabel('Topic')).toBeFocused();
    await form.getByRole('button', { name: 'Save education' }).click();
    await expect(form.getByText('Topic must be chosen.')).toBeVisible();
    await expect(form.getByText('Title is required.')).toBeVisible();
    await expectNoAxeViolations(page, 'education-form-invalid');

    await form.getByLabel('Topic').selectOption({ label: 'Medication' });
    await form.getByLabel('Title').fill('Taking sertraline');
    await form.getByLabel('Method').selectOption({ label: 'Teach-back' });
    await form.getByLabel('Understanding').selectOption({ label: 'Confirmed by teach-back' });
    await form.getByLabel('Materials').fill('Sertraline handout (Vietnamese)');
    await form.getByLabel('An interpreter was used').check();
    await screenshot(page, 'education-form');
    await form.getByRole('button', { name: 'Save education' }).click();
    await expect(page.locator('#education-notice')).toContainText(
      'Education recorded: Taking sertraline (confirmed by teach-back).',
    );
    const table = page.getByRole('table', { name: 'Education, newest first' });
    const row = table.getByRole('row').filter({ hasText: 'Taking sertraline' });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('Medication');
    await expect(row).toContainText('Teach-back');
    await expect(row).toContainText('Vietnamese (vi) · interpreter');
    await expect(row).toContainText('Sertraline handout (Vietnamese)');
    const stored = await cm1.get<{ items: EducationRecord[] }>(`/api/v1/patients/${patient.id}/education`);
    expect(stored.items).toMatchObject([{ title: 'Taking sertraline', language: 'vi', method: 'teach_back' }]);
    await screenshot(page, 'education-listed');
  });

  test('on a 390 px screen the overview cards, the care plan and education fit', async ({ page, request }) => {
    await page.setViewportSize(PHONE);
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Marisol', uniqueName('NarrowPlan'));
    await cm1.post(`/api/v1/patients/${patient.id}/risk/override`, {
      level: 'moderate',
      reason: 'Recently moved in with a relative after an eviction notice; staying temporarily',
      until: localDate(14),
    }, 200);
    await putCarePlan(request, people.cm1, patient, {
      needs: [{ domain: 'housing', description: 'Temporary housing with a relative after an eviction notice' }],
      goals: [
        {
          text: 'Move into stable housing of her own within six months',
          target_date: localDate(180),
          measure: { instrument: 'phq9', comparator: 'lt', value: 5 },
        },
      ],
      interventions: [
        { description: 'Apply for the housing voucher program', responsible: { kind: 'patient' }, frequency: 'once' },
      ],
      participants: [{ kind: 'patient', name: 'Marisol', agreed: true, agreed_on: localDate(0) }],
    });

    await signInAs(page, people.cm1);
    await page.goto(`/patients/${patient.id}`);
    const risk = page.getByRole('region', { name: 'Risk', exact: true });
    await expect(risk.getByTestId('risk-computed')).toBeVisible();
    await expect(page.getByRole('region', { name: /Gaps in care/ }).getByRole('listitem').first()).toBeVisible();
    await expectNoSidewaysScroll(page, 'overview');
    await screenshot(page, 'phone-clinical-overview');

    await risk.getByRole('button', { name: 'Override risk' }).click();
    const dialog = page.getByRole('dialog', { name: 'Override risk level' });
    await expect(dialog.getByRole('button', { name: 'Save override' })).toBeInViewport();
    await expectNoSidewaysScroll(page, 'risk-dialog');
    await screenshot(page, 'phone-risk-dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    const gaps = page.getByRole('region', { name: /Gaps in care/ });
    await gaps.getByRole('button', { name: 'Record chart review' }).click();
    await expect(page.getByRole('form', { name: 'Record a chart review' })).toBeVisible();
    await expectNoSidewaysScroll(page, 'chart-review');
    await screenshot(page, 'phone-chart-review');

    const tabs = page.getByRole('navigation', { name: 'Patient record' });
    await tabs.getByRole('link', { name: 'Care plan' }).click();
    await expect(page.locator('.plan-card')).toContainText('Move into stable housing');
    await expectNoSidewaysScroll(page, 'care-plan');
    await screenshot(page, 'phone-care-plan');
    await page.getByRole('button', { name: 'Edit care plan' }).click();
    await expect(page.getByRole('form', { name: 'Edit the care plan' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Save care plan' })).toBeInViewport();
    await expectNoSidewaysScroll(page, 'care-plan-edit');
    await screenshot(page, 'phone-care-plan-edit');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('region', { name: 'Versions' }).getByRole('button', { name: 'Version 1 (current)' }).click();
    await expect(page.getByTestId('plan-version')).toContainText('The plan was created.');
    await expectNoSidewaysScroll(page, 'care-plan-version');

    await tabs.getByRole('link', { name: 'Education' }).click();
    await page.getByRole('button', { name: 'Record education' }).click();
    await expect(page.getByRole('form', { name: 'Record education' })).toBeVisible();
    await expectNoSidewaysScroll(page, 'education');
    await screenshot(page, 'phone-education');
  });
});
