// Screenings: a form per instrument scored live by the same shared function
// the server uses, a safety alert that cannot be missed, the history with
// "entered in error", and the PHQ-9 / GAD-7 trends over their bands.
import type { Locator, Page } from '@playwright/test';
import { expect, people, test, uniqueName } from '../support/app';
import { CareApi, hoursFromNow, listName, localInput, openMyWorklist, screenshot, signInAs, worklistItem } from '../support/care';

type Screening = {
  id: string;
  instrument: string;
  total: number | null;
  severity: string;
  flags: string[];
  version: number;
  entered_in_error: { reason: string } | null;
};

const PHONE = { width: 390, height: 844 };

/** The group of controls of PHQ-9 item `n` (its legend starts "n."). */
function item(page: Page, key: string): Locator {
  return page.locator(`fieldset.screening-item[data-key="${key}"]`);
}

async function answer(page: Page, key: string, choice: string): Promise<void> {
  await item(page, key).getByRole('radio', { name: choice, exact: true }).check();
}

async function openScreenings(page: Page, patientId: string): Promise<void> {
  await page.goto(`/patients/${patientId}/screenings`);
  await expect(page.getByRole('heading', { name: 'Screenings', level: 2 })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Patient record' }).getByRole('link', { name: 'Screenings' })).toHaveAttribute(
    'aria-current',
    'page',
  );
}

const PHQ9_WORDS = ['Not at all', 'Several days', 'More than half the days', 'Nearly every day'];

test.describe('screenings', () => {
  test('a PHQ-9 with item 9 = 1 scores live, alerts at once, and its safety follow-up tops the worklist', async ({
    page,
    request,
  }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Rhea', uniqueName('Screen'));

    await signInAs(page, people.cm1);
    await openScreenings(page, patient.id);
    await expect(page.getByLabel('Instrument')).toHaveValue('phq9');
    await expect(page.locator('fieldset.screening-item')).toHaveCount(9);
    const live = page.getByTestId('live-score');
    await expect(live).toContainText('Answered 0 of 9.');
    await expect(page.getByTestId('safety-alert')).toHaveCount(0);

    // Item 9 first: the alert shows at once, before the score can.
    await answer(page, '9', 'Several days');
    const alert = page.getByRole('alert').filter({ hasText: 'Safety risk' });
    await expect(alert).toBeVisible();
    await expect(alert).toContainText('several days');
    await expect(live).toContainText('Answered 1 of 9. Answer all items to see the score.');

    const rest = [1, 2, 1, 2, 0, 1, 1, 0];
    for (const [i, v] of rest.entries()) {
      await answer(page, String(i + 1), PHQ9_WORDS[v]);
    }
    const total = rest.reduce((a, b) => a + b, 0) + 1;
    expect(total).toBe(9);
    const summary = page.getByTestId('live-summary');
    await expect(summary).toHaveText('Total 9 of 27 · Mild · negative screen');
    await expect(live).toContainText('Suicide risk');
    await expect(alert).toBeVisible();
    const liveText = (await summary.textContent())?.trim();
    await screenshot(page, 'screenings-phq9-live');

    await page.getByRole('button', { name: 'Save screening' }).click();
    const notice = page.locator('#screenings-notice');
    await expect(notice).toContainText('PHQ-9 recorded: Total 9 of 27 · Mild · negative screen.');
    await expect(notice).toContainText('Safety alert sent to the care team');
    // The server's stored score, read back, is the one shown live.
    await expect(page.getByTestId('recorded-result')).toHaveText(`Server result: ${liveText}`);
    const stored = await cm1.get<{ items: Screening[] }>(`/api/v1/patients/${patient.id}/screenings?instrument=phq9`);
    expect(stored.items).toHaveLength(1);
    expect(stored.items[0]).toMatchObject({ total: 9, severity: 'mild', flags: ['suicide_risk'] });
    // The form starts over; the history and the trend show the screening.
    await expect(live).toContainText('Answered 0 of 9.');
    const history = page.getByRole('table', { name: 'Screenings, newest first' });
    await expect(history.getByRole('row').nth(1)).toContainText('PHQ-9');
    await expect(history.getByRole('row').nth(1)).toContainText('Suicide risk');
    const trend = page.locator('figure[data-instrument="phq9"]');
    await expect(trend.getByRole('img', { name: /PHQ-9 trend/ })).toBeVisible();
    await expect(trend.locator('circle.trend-point')).toHaveCount(1);
    await screenshot(page, 'screenings-phq9-recorded');

    await openMyWorklist(page);
    const firstBand = page.locator('section.band').first();
    await expect(firstBand).toHaveAttribute('data-band', '1');
    await expect(firstBand.getByRole('heading', { level: 2 })).toContainText('Safety follow-ups');
    const safety = await worklistItem(page, listName(patient));
    await expect(safety).toContainText('Positive suicide-risk screen');
    await expect(safety).toContainText('several days');
    await expect(firstBand.locator('li.work-item').filter({ hasText: listName(patient) })).toHaveCount(1);
    await screenshot(page, 'screenings-worklist-safety');
  });

  test('the PHQ-9 and GAD-7 trends draw over their bands, and a screening marked entered in error leaves the line', async ({
    page,
    request,
  }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Ivo', uniqueName('Trend'));
    const phq9 = (v: number) => Object.fromEntries(Array.from({ length: 9 }, (_, i) => [String(i + 1), i === 8 ? 0 : v]));
    const gad7 = (v: number) => Object.fromEntries(Array.from({ length: 7 }, (_, i) => [String(i + 1), v]));
    const base = `/api/v1/patients/${patient.id}/screenings`;
    await cm1.post(base, { instrument: 'phq9', administered_at: hoursFromNow(-24 * 200), answers: phq9(3) });
    await cm1.post(base, { instrument: 'phq9', administered_at: hoursFromNow(-24 * 110), answers: phq9(2) });
    const wrong = await cm1.post<Screening>(base, {
      instrument: 'phq9',
      administered_at: hoursFromNow(-24 * 50),
      answers: phq9(3),
    });
    await cm1.post(base, { instrument: 'phq9', administered_at: hoursFromNow(-24 * 5), answers: phq9(1) });
    await cm1.post(base, { instrument: 'gad7', administered_at: hoursFromNow(-24 * 100), answers: gad7(2) });
    await cm1.post(base, { instrument: 'gad7', administered_at: hoursFromNow(-24 * 4), answers: gad7(1) });

    await signInAs(page, people.cm1);
    await openScreenings(page, patient.id);
    const phqTrend = page.locator('figure[data-instrument="phq9"]');
    const chart = phqTrend.getByRole('img', { name: /PHQ-9 trend/ });
    await expect(chart).toBeVisible();
    await expect(phqTrend.locator('circle.trend-point')).toHaveCount(4);
    await expect(phqTrend.locator('g.band rect')).toHaveCount(5);
    await expect(phqTrend.locator('svg desc')).toHaveText(/4 screenings, from 24 \(Severe\) .* to 8 \(Mild\)/);
    const gadTrend = page.locator('figure[data-instrument="gad7"]');
    await expect(gadTrend.locator('circle.trend-point')).toHaveCount(2);
    await expect(gadTrend.locator('g.band rect')).toHaveCount(4);
    // The data is there as a table too.
    await phqTrend.getByText('PHQ-9 data as a table').click();
    await expect(phqTrend.getByRole('table', { name: 'PHQ-9 totals' }).getByRole('row')).toHaveCount(5);
    // Newest first.
    const history = page.getByRole('table', { name: 'Screenings, newest first' });
    await expect(history.getByRole('row')).toHaveCount(7);
    await expect(history.getByRole('row').nth(1)).toContainText('GAD-7');
    await screenshot(page, 'screenings-trends');

    // Two PHQ-9s totalled 24; newest first, the first is the one 50 days ago.
    const row = history.getByRole('row').filter({ hasText: 'Total 24 of 27' }).first();
    await row.getByRole('button', { name: /^Mark entered in error: the PHQ-9 of / }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Mark entered in error' }).click();
    await expect(dialog.getByText('Reason is required.')).toBeVisible();
    await dialog.getByLabel('Reason').fill('Keyed from another patient\'s form');
    await dialog.getByRole('button', { name: 'Mark entered in error' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.locator('#screenings-notice')).toContainText('marked entered in error');
    const marked = history.getByRole('row').filter({ has: page.locator('.badge', { hasText: 'Entered in error' }) });
    await expect(marked).toHaveCount(1);
    await expect(marked).toContainText('Total 24 of 27');
    await expect(marked).toContainText("Keyed from another patient's form");
    await expect(marked.getByRole('button')).toHaveCount(0);
    await expect(phqTrend.locator('circle.trend-point')).toHaveCount(3);
    const after = await cm1.get<Screening>(`/api/v1/screenings/${wrong.id}`);
    expect(after.entered_in_error?.reason).toBe("Keyed from another patient's form");
    await screenshot(page, 'screenings-entered-in-error');
  });

  test('errors are bound to the items and fields they name, and C-SSRS follows its skip logic', async ({
    page,
    request,
  }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Nell', uniqueName('Errors'));
    await signInAs(page, people.cm1);
    await openScreenings(page, patient.id);

    // Nothing answered: every item says so.
    await page.getByRole('button', { name: 'Save screening' }).click();
    await expect(page.locator('fieldset.screening-item.has-error')).toHaveCount(9);
    await expect(item(page, '3').locator('.field-error')).toContainText('Item 3');
    await answer(page, '3', 'Not at all');
    await expect(page.locator('fieldset.screening-item.has-error')).toHaveCount(8);

    // A time in the future: the server's 422 lands beside the field.
    for (let n = 1; n <= 9; n++) await answer(page, String(n), 'Not at all');
    await expect(page.getByTestId('live-summary')).toHaveText('Total 0 of 27 · Minimal · negative screen');
    await page.getByLabel('Administered at').fill(localInput(new Date(Date.now() + 3 * 24 * 3600 * 1000)));
    await page.getByRole('button', { name: 'Save screening' }).click();
    await expect(page.getByText('Administration time must not be in the future.')).toBeVisible();

    // C-SSRS: items 3–5 only after "yes" to item 2; a high-risk answer alerts at once.
    await page.getByLabel('Instrument').selectOption('cssrs');
    await expect(page.locator('fieldset.screening-item')).toHaveCount(3);
    await item(page, '2').getByRole('radio', { name: 'Yes', exact: true }).check();
    await expect(page.locator('fieldset.screening-item')).toHaveCount(6);
    await expect(page.getByTestId('safety-alert')).toHaveCount(0);
    await item(page, '4').getByRole('radio', { name: 'Yes', exact: true }).check();
    await expect(page.getByRole('alert').filter({ hasText: 'Safety risk' })).toBeVisible();
    await screenshot(page, 'screenings-cssrs-alert');
  });

  test('on a 390 px screen the form, the live score and the alert fit and stay in reach', async ({ page, request }) => {
    await page.setViewportSize(PHONE);
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Moss', uniqueName('Phone'));
    await cm1.post(`/api/v1/patients/${patient.id}/screenings`, {
      instrument: 'phq9',
      administered_at: hoursFromNow(-24 * 30),
      answers: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [String(i + 1), 1])),
    });
    await signInAs(page, people.cm1);
    await openScreenings(page, patient.id);
    await answer(page, '9', 'Several days');
    const alert = page.getByRole('alert').filter({ hasText: 'Safety risk' });
    await expect(alert).toBeInViewport();
    const width = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    expect(width[0]).toBeLessThanOrEqual(width[1]);
    await expect(page.locator('figure[data-instrument="phq9"]').getByRole('img', { name: /PHQ-9 trend/ })).toBeVisible();
    await screenshot(page, 'phone-screenings');
  });
});
