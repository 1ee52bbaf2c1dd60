// Referrals, the provider network and community programs (issue 9): drafting
// a referral with the live medical-necessity check and its alternatives,
// sending it with an override reason, barriers, closing the loop with the
// patient's satisfaction and the provider's quality figures, the directory's
// filters and reasons, and the referral board's overdue highlight — every
// screen checked with axe, and the new screens on a 390 px wide phone.
import { execFileSync } from 'node:child_process';
import type { APIRequestContext, Locator, Page } from '@playwright/test';
import { expectNoAxeViolations } from '../support/a11y';
import { DEMO_PASSWORD, expect, mainNav, people, test, uniqueName, type Person } from '../support/app';
import { CareApi, listName, localDate, localInput, screenshot, signInAs, type PatientRef } from '../support/care';
import { MAIN_NAV, PHONE, expectNoSidewaysScroll } from '../support/phone';

type Evaluation = {
  met: boolean;
  criteria: { code: string; met: boolean; description: string; required: boolean }[];
  alternatives: string[];
};
type Barrier = { id: string; kind: string; resolution: string | null; resolved_at: string | null; version: number };
type Referral = {
  id: string;
  status: string;
  version: number;
  service: string;
  provider_name: string;
  medical_necessity: Evaluation | null;
  necessity_override_reason: string | null;
  satisfaction: { rating: number; comment: string | null } | null;
  overdue: string | null;
  barriers: Barrier[];
};
type Provider = {
  id: string;
  name: string;
  version: number;
  quality: { referrals: number; completion_rate: number | null; satisfaction: number | null; ratings: number };
};

/** The criteria of `shared::necessity::CriteriaWrite`'s example, for inpatient psychiatric care. */
const INPATIENT_CRITERIA = {
  any_of: [
    { kind: 'score_at_least', instrument: 'phq9', total: 20 },
    { kind: 'positive_screen', instrument: 'cssrs' },
    { kind: 'discharged_within', kinds: ['bhcc'], days: 30 },
  ],
  alternatives: ['Intensive outpatient program', 'Peer-support program', 'Crisis plan'],
};

/** A service the tests expect to have no criteria configured. */
const UNCHECKED_SERVICE = 'peer_support';

async function bearer(request: APIRequestContext, who: Person): Promise<Record<string, string>> {
  const login = await request.post('/api/v1/auth/login', { data: { email: who.email, password: DEMO_PASSWORD } });
  expect(login.status()).toBe(200);
  return { Authorization: `Bearer ${(await login.json()).access_token}` };
}

/**
 * Sets the inpatient criteria as an admin (PUT creates them, or replaces them
 * with the version read), and checks that the unchecked service has none.
 */
async function configureCriteria(request: APIRequestContext): Promise<void> {
  const headers = await bearer(request, people.admin);
  const url = '/api/v1/service-criteria/inpatient_psychiatric';
  const current = await request.get(url, { headers });
  if (current.status() === 404) {
    const res = await request.put(url, { headers, data: { criteria: INPATIENT_CRITERIA } });
    expect([200, 201], await res.text()).toContain(res.status());
  } else {
    expect(current.status()).toBe(200);
    const version = (await current.json()).version as number;
    const res = await request.put(url, {
      headers: { ...headers, 'If-Match': `W/"${version}"` },
      data: { criteria: INPATIENT_CRITERIA },
    });
    expect(res.status(), await res.text()).toBe(200);
  }
  const unchecked = await request.get(`/api/v1/service-criteria/${UNCHECKED_SERVICE}`, { headers });
  expect(unchecked.status(), `${UNCHECKED_SERVICE} must have no criteria for these tests`).toBe(404);
}

/** A PHQ-9 with every item `value` and item 9 at 0 (total 8 × value, no safety flag). */
async function recordPhq9(api: CareApi, patient: PatientRef, value: number): Promise<void> {
  const answers = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [String(i + 1), i === 8 ? 0 : value]));
  await api.post(`/api/v1/patients/${patient.id}/screenings`, {
    instrument: 'phq9',
    administered_at: new Date(Date.now() - 3600_000).toISOString(),
    answers,
  });
}

async function createProvider(api: CareApi, name: string, extra: Record<string, unknown> = {}): Promise<Provider> {
  return api.post('/api/v1/providers', {
    name,
    kind: 'organization',
    services: ['inpatient_psychiatric', 'outpatient_therapy', UNCHECKED_SERVICE],
    languages: ['en'],
    medicaid: true,
    accepting_new_clients: true,
    address: { line1: '410 Commercial St NE', city: 'Salem', state: 'OR', postal_code: '97301' },
    network_status: 'in_network',
    ...extra,
  });
}

async function draftReferral(api: CareApi, patient: PatientRef, provider: Provider, service: string): Promise<Referral> {
  return api.post('/api/v1/referrals', {
    patient_id: patient.id,
    provider_id: provider.id,
    service,
    reason: 'Needs more support than weekly check-ins',
  });
}

async function takeStep(api: CareApi, referral: Referral, step: Record<string, unknown>): Promise<Referral> {
  return api.post(`/api/v1/referrals/${referral.id}/status`, { ...step, version: referral.version }, 200);
}

/**
 * Moves a sent referral's sending time `days` back. No API backdates a
 * referral, and its overdue state is computed from the sending time when it
 * is read: the test changes the database the server under test reads.
 */
function backdateSending(referral: Referral, days: number): void {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error('E2E_DATABASE_URL is not set: run the browser tests with `make e2e`');
  execFileSync('psql', [
    url,
    '-v',
    'ON_ERROR_STOP=1',
    '-q',
    '-c',
    `UPDATE referrals SET sent_at = sent_at - interval '${days} days' WHERE id = '${referral.id}'`,
  ]);
}

/** The 390 px checks of one screen: no sideways scrolling, then the screenshot and axe. */
async function expectFitsPhone(page: Page, name: string): Promise<void> {
  await expectNoSidewaysScroll(page, name);
  await screenshot(page, `phone-${name}`);
}

async function openReferralsTab(page: Page, patient: PatientRef): Promise<void> {
  await page.goto(`/patients/${patient.id}/referrals`);
  await expect(page.getByRole('heading', { name: 'Referrals', level: 2 })).toBeVisible();
  await expect(
    page.getByRole('navigation', { name: 'Patient record' }).getByRole('link', { name: 'Referrals', exact: true }),
  ).toHaveAttribute('aria-current', 'page');
}

async function openReferral(page: Page, referral: Referral, title: string): Promise<void> {
  await page.goto(`/referrals/${referral.id}`);
  await expect(page.getByRole('heading', { name: title, level: 1 })).toBeVisible();
}

/** The step's button in the "Next steps" card. */
function stepButton(page: Page, name: string): Locator {
  return page.getByRole('group', { name: 'Next steps' }).getByRole('button', { name, exact: true });
}

/** The board item of `patient`'s referral in the group `status`, loading more pages until it shows. */
async function boardItem(page: Page, status: string, patient: PatientRef): Promise<Locator> {
  const group = page.getByRole('region', { name: new RegExp(`^${status} \\(`) });
  const item = group.getByTestId('board-item').filter({ has: page.getByRole('link', { name: listName(patient), exact: true }) });
  const more = page.getByRole('button', { name: 'Load more referrals' });
  await expect(page.getByTestId('board-item').first().or(page.getByRole('heading', { name: 'No open referrals' }))).toBeVisible();
  for (let i = 0; i < 20; i++) {
    if ((await item.count()) > 0 || !(await more.isVisible())) break;
    const before = await page.getByTestId('board-item').count();
    await more.click();
    await expect.poll(() => page.getByTestId('board-item').count()).toBeGreaterThan(before);
  }
  await expect(item).toHaveCount(1);
  return item;
}

test.describe('referrals and the provider network', () => {
  test('a care manager drafts a referral and sees the medical-necessity result with its alternatives', async ({
    page,
    request,
  }) => {
    await configureCriteria(request);
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Rosa', uniqueName('Necessity'));
    await recordPhq9(cm1, patient, 1);
    const provider = await createProvider(cm1, uniqueName('Harbor Crisis Center '));

    await signInAs(page, people.cm1);
    await openReferralsTab(page, patient);
    await expect(page.getByText('No referrals yet.')).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Program enrollments', level: 2 })).toBeVisible();
    await screenshot(page, 'referrals-tab-empty');

    await page.getByRole('button', { name: 'New referral' }).click();
    const form = page.getByRole('form', { name: 'New referral' });
    await expect(form.getByLabel('Service')).toBeFocused();
    const live = page.getByTestId('live-necessity');
    await expect(live).toContainText('Choose a service to check medical necessity.');

    // Inpatient psychiatric care needs a PHQ-9 of 20 or more (or a positive
    // C-SSRS, or a recent crisis-center stay): a PHQ-9 of 8 does not meet it.
    await form.getByLabel('Service').selectOption({ label: 'Inpatient psychiatric' });
    await expect(live).toContainText('Medical necessity: not met');
    await expect(live).toContainText('PHQ-9 of 20 or more: latest PHQ-9 is 8');
    await expect(live).toContainText('a positive C-SSRS screener: no C-SSRS screener on record');
    const alternatives = live.getByTestId('necessity-alternatives');
    await expect(alternatives.getByRole('listitem')).toHaveText([
      'Intensive outpatient program',
      'Peer-support program',
      'Crisis plan',
    ]);
    await screenshot(page, 'referral-draft-not-met');

    // A service without criteria has nothing to check.
    await form.getByLabel('Service').selectOption({ label: 'Peer support' });
    await expect(live).toContainText('No criteria configured for this service.');
    await expect(live.getByTestId('necessity-result')).toHaveCount(0);
    await screenshot(page, 'referral-draft-no-criteria');

    await form.getByLabel('Service').selectOption({ label: 'Inpatient psychiatric' });
    await expect(live).toContainText('Medical necessity: not met');
    const picker = form.getByRole('combobox', { name: 'Provider', exact: true });
    await expect(picker.locator(`option[value="${provider.id}"]`)).toHaveCount(1);
    await expect(picker.locator(`option[value="${provider.id}"]`)).toContainText('in network');
    await picker.selectOption(provider.id);
    await form.getByLabel('Reason for referral').fill('PHQ-9 rising; family worried about safety at home');
    await form.getByRole('button', { name: 'Save draft' }).click();
    await expect(page.locator('#referrals-notice')).toContainText(
      `Inpatient psychiatric referral to ${provider.name} saved as a draft. Medical necessity is not met`,
    );
    const row = page.getByRole('row').filter({ hasText: provider.name });
    await expect(row).toContainText('Draft');
    await expect(row).toContainText('Not met');
    await screenshot(page, 'referral-drafted');

    const stored = await cm1.get<{ items: Referral[] }>(`/api/v1/referrals?patient_id=${patient.id}`);
    expect(stored.items).toHaveLength(1);
    expect(stored.items[0]).toMatchObject({ status: 'draft', service: 'inpatient_psychiatric' });
    expect(stored.items[0].medical_necessity?.met).toBe(false);
    expect(stored.items[0].medical_necessity?.alternatives).toEqual(INPATIENT_CRITERIA.alternatives);

    // The directory, ranked for this patient, from the tab.
    await page.getByRole('link', { name: 'Find providers for this patient' }).click();
    await expect(page).toHaveURL(new RegExp(`/providers\\?patient=${patient.id}$`));
    await expect(page.getByTestId('ranked-for')).toContainText(`Ranked for ${listName(patient)}`);
    await page.getByRole('searchbox', { name: 'Search providers by name' }).fill(provider.name);
    await expect(page.getByRole('table', { name: 'Providers' }).getByRole('row').filter({ hasText: provider.name })).toContainText(
      'in network',
    );
    await screenshot(page, 'provider-directory-for-patient');
  });

  test('a care manager sends the referral with an override reason, records a barrier and resolves it', async ({
    page,
    request,
  }) => {
    await configureCriteria(request);
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Elena', uniqueName('Override'));
    await recordPhq9(cm1, patient, 1);
    const provider = await createProvider(cm1, uniqueName('Riverbend Hospital '));
    const referral = await draftReferral(cm1, patient, provider, 'inpatient_psychiatric');
    expect(referral.medical_necessity?.met).toBe(false);

    await signInAs(page, people.cm1);
    await openReferral(page, referral, 'Inpatient psychiatric referral');
    const necessity = page.getByRole('region', { name: 'Medical necessity' });
    await expect(necessity).toContainText('Medical necessity: not met');
    await expect(necessity.getByTestId('necessity-alternatives')).toContainText('Intensive outpatient program');
    await expect(page.getByRole('region', { name: 'Referral', exact: true })).toContainText('Draft');
    await expect(page.getByRole('group', { name: 'Next steps' }).getByRole('button')).toHaveText([
      'Send',
      'Cancel referral',
    ]);
    await screenshot(page, 'referral-draft-page');

    // Sending a referral that does not meet its criteria takes a reason.
    await stepButton(page, 'Send').click();
    const send = page.getByRole('form', { name: 'Send the referral' });
    await expect(send).toBeVisible();
    await send.getByRole('button', { name: 'Send referral' }).click();
    await expect(send.getByText('Override reason is required to send a referral whose medical necessity is not met.')).toBeVisible();
    await expectNoAxeViolations(page, 'referral-send-needs-override');
    const why = 'Psychiatrist on call judged the risk too high for outpatient care';
    await send.getByLabel('Override reason').fill(why);
    await send.getByRole('button', { name: 'Send referral' }).click();
    await expect(page.locator('#referral-notice')).toContainText(`Referral sent to ${provider.name}.`);
    await expect(page.getByRole('region', { name: 'Referral', exact: true })).toContainText('Sent');
    await expect(necessity.getByTestId('override-reason')).toContainText(why);
    await expect(page.getByTestId('referral-history')).toContainText('Draft → Sent');
    await expect(page.getByTestId('referral-history')).toContainText(people.cm1.email);
    await expect(page.getByRole('group', { name: 'Next steps' }).getByRole('button')).toHaveText([
      'Accept',
      'Decline',
      'Cancel referral',
    ]);

    // A barrier: recorded open, then resolved with what was done.
    const barriers = page.getByRole('region', { name: 'Barriers' });
    await barriers.getByRole('button', { name: 'Add barrier' }).click();
    await expect(barriers.getByLabel('Kind of barrier')).toBeFocused();
    await barriers.getByLabel('Kind of barrier').selectOption({ label: 'Transportation' });
    await barriers.getByLabel('Description').fill('No bus line reaches the hospital');
    await barriers.getByRole('button', { name: 'Save barrier' }).click();
    await expect(barriers.getByRole('status')).toContainText('Transportation barrier recorded.');
    const barrier = barriers.getByTestId('barrier');
    await expect(barrier).toHaveCount(1);
    await expect(barrier).toContainText('Open');
    await expect(barrier).toContainText('No bus line reaches the hospital');
    await screenshot(page, 'referral-sent-with-barrier');

    await barrier.getByRole('button', { name: 'Resolve the transportation barrier' }).click();
    const resolution = barrier.getByLabel('How the transportation barrier was resolved');
    await expect(resolution).toBeFocused();
    await resolution.fill('Medicaid ride booked for the admission');
    await barrier.getByRole('button', { name: 'Save resolution' }).click();
    await expect(barriers.getByRole('status')).toContainText('Transportation barrier resolved.');
    await expect(barrier).toContainText('Resolved');
    await expect(barrier).toContainText(`by ${people.cm1.name}: Medicaid ride booked for the admission`);
    await expect(barrier.getByRole('button', { name: 'Reopen the transportation barrier' })).toBeVisible();
    await screenshot(page, 'referral-barrier-resolved');

    const stored = await cm1.get<Referral>(`/api/v1/referrals/${referral.id}`);
    expect(stored.status).toBe('sent');
    expect(stored.necessity_override_reason).toBe(why);
    expect(stored.barriers).toHaveLength(1);
    expect(stored.barriers[0]).toMatchObject({ kind: 'transportation', resolution: 'Medicaid ride booked for the admission' });
  });

  test('a care manager records acceptance, the appointment and the outcome, closes the loop with the patient\'s satisfaction, and the provider\'s quality figures show it', async ({
    page,
    request,
  }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Nadia', uniqueName('Closed'));
    const provider = await createProvider(cm1, uniqueName('Peer Bridge '));
    const sent = await takeStep(cm1, await draftReferral(cm1, patient, provider, UNCHECKED_SERVICE), { status: 'sent' });
    expect(sent.status).toBe('sent');

    await signInAs(page, people.cm1);
    await openReferral(page, sent, 'Peer support referral');
    await expect(page.getByRole('region', { name: 'Medical necessity' })).toContainText(
      'No criteria are configured for this service',
    );

    await stepButton(page, 'Accept').click();
    await page.getByRole('form', { name: 'Record that the provider accepted' }).getByRole('button', { name: 'Record acceptance' }).click();
    await expect(page.locator('#referral-notice')).toContainText(`Recorded: ${provider.name} accepted the referral.`);

    await stepButton(page, 'Schedule').click();
    const schedule = page.getByRole('form', { name: 'Record the appointment' });
    await schedule.getByRole('button', { name: 'Save appointment' }).click();
    await expect(schedule.getByText('Appointment is required.')).toBeVisible();
    await schedule.getByLabel('Appointment').fill(localInput(new Date(Date.now() + 3 * 24 * 3600_000)));
    await schedule.getByRole('button', { name: 'Save appointment' }).click();
    await expect(page.locator('#referral-notice')).toContainText('Appointment recorded for');

    await stepButton(page, 'Complete').click();
    const complete = page.getByRole('form', { name: 'Record the outcome' });
    await complete.getByLabel('Outcome').fill('Joined the weekly peer group; plan for six sessions');
    await complete.getByRole('button', { name: 'Record completion' }).click();
    await expect(page.locator('#referral-notice')).toContainText('Referral completed.');

    await stepButton(page, 'Close').click();
    const close = page.getByRole('form', { name: 'Close the loop' });
    await close.getByLabel('Rating').selectOption({ label: '5 – very satisfied' });
    await close.getByLabel('Comment').fill('The group leader speaks my language');
    await screenshot(page, 'referral-close-with-satisfaction');
    await close.getByRole('button', { name: 'Close referral' }).click();
    await expect(page.locator('#referral-notice')).toContainText('Referral closed.');
    const details = page.getByRole('region', { name: 'Referral', exact: true });
    await expect(details).toContainText('Closed');
    await expect(details).toContainText('5/5: “The group leader speaks my language”');
    await expect(details).toContainText('Joined the weekly peer group');
    await expect(page.getByRole('group', { name: 'Next steps' })).toHaveCount(0);
    const history = page.getByTestId('referral-history');
    for (const step of ['Draft → Sent', 'Sent → Accepted', 'Accepted → Scheduled', 'Scheduled → Completed', 'Completed → Closed']) {
      await expect(history).toContainText(step);
    }
    await screenshot(page, 'referral-closed');

    // The provider's figures come from its referrals' outcomes.
    await details.getByRole('link', { name: provider.name }).click();
    await expect(page.getByRole('heading', { name: provider.name, level: 1 })).toBeVisible();
    const quality = page.getByTestId('quality');
    const figure = (term: string) => quality.locator('.fact', { has: page.locator('dt', { hasText: term }) }).locator('dd');
    await expect(figure('Referrals received')).toHaveText('1');
    await expect(figure('Completion rate')).toHaveText('100%');
    await expect(figure('No-show rate')).toHaveText('0%');
    await expect(figure('Median days to first appointment')).toHaveText(/^\d+(\.\d)? days?$/);
    await expect(figure('Average satisfaction')).toHaveText('5.0/5 (1 rating)');
    const referrals = page.getByRole('table', { name: 'Referrals to this provider' });
    await expect(referrals.getByRole('row').filter({ hasText: listName(patient) })).toContainText('Closed');
    await screenshot(page, 'provider-quality');

    const stored = await cm1.get<Provider>(`/api/v1/providers/${provider.id}`);
    expect(stored.quality).toMatchObject({ referrals: 1, completion_rate: 1, satisfaction: 5, ratings: 1 });
  });

  test('the directory finds a Spanish-speaking in-network provider that takes Medicaid, and says why', async ({
    page,
    request,
  }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const stem = uniqueName('Directorio');
    const match = await createProvider(cm1, `${stem} Sol`, { languages: ['es', 'en'], medicaid: true });
    const other = await createProvider(cm1, `${stem} Norte`, { languages: ['en'], medicaid: false, payers: ['Aetna'] });

    await signInAs(page, people.cm1);
    await mainNav(page).getByRole('link', { name: 'Providers', exact: true }).click();
    await expect(page).toHaveURL(/\/providers$/);
    await expect(page.getByRole('heading', { name: 'Providers', level: 1 })).toBeVisible();
    const table = page.getByRole('table', { name: 'Providers' });
    await page.getByRole('searchbox', { name: 'Search providers by name' }).fill(stem);
    await expect(table.getByRole('row')).toHaveCount(3);
    await screenshot(page, 'provider-directory-search');

    await page.getByLabel('Language').selectOption({ label: 'Spanish (es)' });
    await page.getByLabel('Insurance').selectOption({ label: 'Takes Medicaid' });
    await page.getByLabel('Network status').selectOption({ label: 'In network' });
    await expect(table.getByRole('row')).toHaveCount(2);
    const row = table.getByRole('row').filter({ hasText: match.name });
    await expect(row).toBeVisible();
    await expect(table.getByRole('row').filter({ hasText: other.name })).toHaveCount(0);
    const reasons = row.getByTestId('reasons');
    await expect(reasons).toContainText('in network');
    await expect(reasons).toContainText('speaks Spanish');
    await expect(reasons).toContainText('takes Medicaid');
    await expect(reasons).toContainText(' · ');
    await expect(row).toContainText('Spanish (es)');
    await expect(row).toContainText('In network');
    await screenshot(page, 'provider-directory-filtered');

    await row.getByRole('link', { name: match.name }).click();
    await expect(page.getByRole('heading', { name: match.name, level: 1 })).toBeVisible();
    const details = page.getByRole('region', { name: 'Details' });
    await expect(details).toContainText('Spanish (es), English (en)');
    await expect(details).toContainText('Medicaid');
    await expect(page.getByTestId('quality')).toContainText('—');
    await screenshot(page, 'provider-page');
  });

  test('a care manager refers a patient to a community program and records each step through to enrollment and its renewal date', async ({
    page,
    request,
  }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const program = await cm1.post<{ id: string; name: string }>('/api/v1/programs', {
      name: uniqueName('Ride to Care '),
      kind: 'transportation',
      eligibility_notes: 'Medicaid members without a car',
      renewal_months: 12,
    });
    const patient = await cm1.createPatient('Amparo', uniqueName('Program'));

    await signInAs(page, people.cm1);
    await openReferralsTab(page, patient);
    const section = page.getByRole('region', { name: 'Program enrollments' });
    await expect(section.getByText('No program enrollments yet.')).toBeVisible();
    await section.getByRole('button', { name: 'Add enrollment' }).click();
    const form = page.getByRole('form', { name: 'Refer to a program' });
    await form.getByRole('combobox', { name: 'Program', exact: true }).selectOption({ label: `${program.name} (Transportation)` });
    await expect(form).toContainText('Eligibility: Medicaid members without a car');
    await form.getByLabel('Notes').fill('Needs rides to the clinic twice a week');
    await screenshot(page, 'enrollment-form');
    await form.getByRole('button', { name: 'Save enrollment' }).click();
    await expect(page.locator('#enrollments-notice')).toContainText(`Referred to ${program.name}.`);
    const row = section.getByRole('row').filter({ hasText: program.name });
    await expect(row).toContainText('Referred');
    await expect(row.getByRole('button')).toHaveText(['Mark applied', 'Mark exited']);

    await row.getByRole('button', { name: `Mark applied: ${program.name}` }).click();
    await expect(page.locator('#enrollments-notice')).toContainText(`${program.name}: applied.`);
    await expect(row.getByRole('button')).toHaveText(['Mark enrolled', 'Mark denied', 'Mark exited']);
    await row.getByRole('button', { name: `Mark enrolled: ${program.name}` }).click();
    await expect(page.locator('#enrollments-notice')).toContainText(`${program.name}: enrolled.`);
    await expect(row).toContainText('Enrolled');
    await expect(row).toContainText('Applied');

    // Enrolling set the renewal date from the program's 12 months; it can be moved.
    type Enrollment = { status: string; renewal_due_on: string | null };
    const enrolled = await cm1.get<{ items: Enrollment[] }>(`/api/v1/patients/${patient.id}/enrollments`);
    expect(enrolled.items[0].status).toBe('enrolled');
    expect(enrolled.items[0].renewal_due_on).not.toBeNull();
    const renewBy = localDate(200);
    await row.getByRole('button', { name: `Set the renewal date of ${program.name}` }).click();
    await row.getByLabel('Renew by').fill(renewBy);
    await row.getByRole('button', { name: 'Save renewal date' }).click();
    await expect(page.locator('#enrollments-notice')).toContainText(`Renewal date of ${program.name} saved.`);
    const [y, m, d] = renewBy.split('-');
    await expect(row).toContainText(`${m}/${d}/${y}`);
    await screenshot(page, 'enrollment-enrolled');
    const saved = await cm1.get<{ items: Enrollment[] }>(`/api/v1/patients/${patient.id}/enrollments`);
    expect(saved.items[0].renewal_due_on).toBe(renewBy);
  });

  test('a provider\'s page logs recruiting work and credentials, moves the provider along the pipeline, and refuses a stale edit', async ({
    page,
    request,
  }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const provider = await createProvider(cm1, uniqueName('Summit Family Clinic '), { network_status: 'prospect' });

    await signInAs(page, people.cm1);
    await page.goto(`/providers/${provider.id}`);
    await expect(page.getByRole('heading', { name: provider.name, level: 1 })).toBeVisible();

    const log = page.getByRole('region', { name: 'Recruiting log' });
    await log.getByRole('button', { name: 'Log activity' }).click();
    await log.getByLabel('What was done').selectOption({ label: 'Call' });
    await log.getByLabel('What happened').fill('Spoke with the clinic director; sending the contract');
    await log.getByRole('button', { name: 'Save activity' }).click();
    await expect(log.getByRole('status').filter({ hasText: 'Call logged.' })).toBeVisible();
    await expect(log).toContainText('Spoke with the clinic director; sending the contract');

    const credentials = page.getByRole('region', { name: 'Credentials' });
    await credentials.getByRole('button', { name: 'Add credential' }).click();
    await credentials.getByLabel('Document').fill('State license');
    await credentials.getByLabel('Reference').fill('LCSW-12345');
    await credentials.getByLabel('Expires on').fill(localDate(10));
    await credentials.getByRole('button', { name: 'Save credential' }).click();
    await expect(credentials.getByRole('status').filter({ hasText: 'State license recorded' })).toBeVisible();
    const license = credentials.getByRole('row').filter({ hasText: 'State license' });
    await expect(license).toContainText('Expires within 30 days');
    await expect(license).toHaveAttribute('data-expiring', 'true');

    const network = page.getByRole('region', { name: 'Network status' });
    await network.getByLabel('Move to').selectOption({ label: 'Recruiting' });
    await network.getByRole('button', { name: 'Change network status' }).click();
    await expect(page.locator('#provider-notice')).toContainText('Network status changed to Recruiting.');
    await expect(page.getByRole('region', { name: 'Details' })).toContainText('Recruiting');
    await expect(log).toContainText('Network status change');
    await screenshot(page, 'provider-recruiting');

    await page.getByRole('button', { name: 'Edit provider' }).click();
    const edit = page.getByRole('region', { name: 'Edit provider' });
    await expect(edit.getByRole('heading', { name: 'Edit provider' })).toBeFocused();
    // Someone else changes the provider meanwhile.
    const current = await cm1.get<Provider>(`/api/v1/providers/${provider.id}`);
    await cm1.patch(`/api/v1/providers/${provider.id}`, current.version, { phone: '503-555-0199' });
    await edit.getByLabel('Hours').fill('Mon–Thu 9–5');
    await edit.getByRole('button', { name: 'Save provider' }).click();
    await expect(edit.getByRole('alert')).toContainText('This provider was changed by someone else');
    await expect(edit.getByLabel('Phone')).toHaveValue('503-555-0199');
    await expectNoAxeViolations(page, 'provider-edit-conflict');
    await edit.getByLabel('Hours').fill('Mon–Thu 9–5');
    await edit.getByRole('button', { name: 'Save provider' }).click();
    await expect(page.locator('#provider-notice')).toContainText('Provider saved.');
    const details = page.getByRole('region', { name: 'Details' });
    await expect(details).toContainText('Mon–Thu 9–5');
    await expect(details).toContainText('503-555-0199');

    await page.getByRole('link', { name: 'Providers', exact: true }).first().click();
    await page.getByRole('link', { name: 'Recruiting pipeline' }).click();
    await expect(page.getByRole('heading', { name: 'Recruiting pipeline', level: 1 })).toBeVisible();
    await expect(page.getByRole('region', { name: /^Recruiting/ }).getByRole('link', { name: provider.name })).toBeVisible();
    await screenshot(page, 'provider-pipeline');
  });

  test('an admin gives a provider an API key that answers only the referrals sent to that provider', async ({
    page,
    request,
  }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const provider = await createProvider(cm1, uniqueName('Keyed Clinic '));
    const patient = await cm1.createPatient('Inez', uniqueName('Keyed'));
    const sent = await takeStep(cm1, await draftReferral(cm1, patient, provider, UNCHECKED_SERVICE), { status: 'sent' });

    await signInAs(page, people.admin);
    await mainNav(page).getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('button', { name: 'Create API key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create API key' });
    const name = `${provider.name} referrals`;
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByRole('checkbox', { name: /^Answer the referrals sent to one provider/ }).check();
    const picker = dialog.getByRole('combobox', { name: 'Provider' });
    await expect(picker.locator('option', { hasText: provider.name })).toHaveCount(1);
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await expect(dialog.getByText('Provider is required for a referrals:respond key.')).toBeVisible();
    await expect(picker).toBeFocused();
    await expectNoAxeViolations(page, 'provider-key-needs-provider');
    await picker.selectOption({ label: provider.name });
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const secret = await dialog.getByRole('textbox', { name: 'Your new API key' }).inputValue();
    await expect(dialog).toContainText(`Key “${name}” with scopes referrals:respond`);
    await screenshot(page, 'provider-key-shown-once');

    // The key sees the referrals sent to its provider, and nothing else.
    const auth = { Authorization: `Bearer ${secret}` };
    const listed = await request.get('/api/v1/referrals', { headers: auth });
    expect(listed.status(), await listed.text()).toBe(200);
    expect(((await listed.json()).items as Referral[]).map((r) => r.id)).toEqual([sent.id]);
    expect((await request.get('/api/v1/patients?limit=1', { headers: auth })).status()).toBe(403);

    await dialog.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row', { name: new RegExp(name) });
    await expect(row.getByRole('link', { name: 'The provider it answers for' })).toHaveAttribute(
      'href',
      `/providers/${provider.id}`,
    );
  });

  test('the referral board highlights an overdue referral, and the new screens fit a 390 px screen with no axe violations', async ({
    page,
    request,
  }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Teresa', uniqueName('Tardy'));
    const provider = await createProvider(cm1, uniqueName('Lakeview Counseling '), {
      languages: ['es', 'en'],
      hours: 'Mon–Fri 8–6, Sat 9–1',
    });
    const late = await takeStep(cm1, await draftReferral(cm1, patient, provider, UNCHECKED_SERVICE), { status: 'sent' });
    backdateSending(late, 7);
    await draftReferral(cm1, patient, provider, 'outpatient_therapy');
    const check = await cm1.get<Referral>(`/api/v1/referrals/${late.id}`);
    expect(check.overdue).toMatch(/^no response from the provider in 2 business days/);

    await page.setViewportSize(PHONE);
    await signInAs(page, people.cm1);
    const nav = mainNav(page);
    await expect(nav.getByRole('link')).toHaveText(MAIN_NAV.careManager);
    await nav.getByRole('link', { name: 'Referrals', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Referrals', level: 1 })).toBeVisible();
    const item = await boardItem(page, 'Sent', patient);
    await expect(item).toHaveAttribute('data-overdue', 'true');
    await expect(item.getByText('Overdue', { exact: true })).toBeVisible();
    await expect(item).toContainText('Overdue: no response from the provider in 2 business days');
    await expect(item).toContainText(`To ${provider.name}`);
    await expect(item).toContainText('Peer support referral');
    const draft = await boardItem(page, 'Draft', patient);
    await expect(draft).toHaveAttribute('data-overdue', 'false');
    await expect(draft).not.toContainText('Overdue');
    await item.scrollIntoViewIfNeeded();
    await expectFitsPhone(page, 'referral-board');

    await item.getByRole('link', { name: listName(patient) }).click();
    await expect(page.getByRole('heading', { name: 'Peer support referral', level: 1 })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Referral', exact: true })).toContainText(
      'Overdue: no response from the provider in 2 business days',
    );
    await expectFitsPhone(page, 'referral-page');
    await stepButton(page, 'Decline').click();
    await expect(page.getByRole('form', { name: 'Record that the provider declined' }).getByLabel('Reason')).toBeVisible();
    await expectFitsPhone(page, 'referral-decline-form');

    await openReferralsTab(page, patient);
    await expect(page.getByRole('row').filter({ hasText: 'Peer support' })).toContainText('Overdue');
    await page.getByRole('button', { name: 'New referral' }).click();
    await page.getByRole('form', { name: 'New referral' }).getByLabel('Service').selectOption({ label: 'Outpatient therapy' });
    await expect(page.getByTestId('live-necessity')).not.toContainText('Checking');
    await expectFitsPhone(page, 'patient-referrals-form');
    await page.getByRole('button', { name: 'Add enrollment' }).click();
    await expect(page.getByRole('combobox', { name: 'Program', exact: true })).toBeFocused();
    await expectFitsPhone(page, 'patient-enrollment-form');

    await nav.getByRole('link', { name: 'Providers', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Providers', level: 1 })).toBeVisible();
    await page.getByRole('searchbox', { name: 'Search providers by name' }).fill(provider.name);
    await expect(page.getByRole('table', { name: 'Providers' }).getByRole('link', { name: provider.name })).toBeVisible();
    await expectFitsPhone(page, 'provider-directory');
    await page.getByRole('button', { name: 'Add provider' }).click();
    await expect(page.getByRole('textbox', { name: 'Name', exact: true })).toBeFocused();
    await expectFitsPhone(page, 'provider-add-form');
    await page.getByRole('button', { name: 'Add provider' }).click();

    await page.getByRole('table', { name: 'Providers' }).getByRole('link', { name: provider.name }).click();
    await expect(page.getByRole('heading', { name: provider.name, level: 1 })).toBeVisible();
    await expect(page.getByRole('table', { name: 'Referrals to this provider' }).getByRole('row')).toHaveCount(3);
    await expectFitsPhone(page, 'provider-page');
    await page.getByRole('button', { name: 'Edit provider' }).click();
    await expect(page.getByRole('heading', { name: 'Edit provider' })).toBeFocused();
    await expectFitsPhone(page, 'provider-edit');

    await page.goto('/providers/pipeline');
    await expect(page.getByRole('heading', { name: 'Recruiting pipeline', level: 1 })).toBeVisible();
    await expect(page.getByRole('region', { name: /^In network/ }).getByRole('link').first()).toBeVisible();
    await expectFitsPhone(page, 'provider-pipeline');
  });
});
