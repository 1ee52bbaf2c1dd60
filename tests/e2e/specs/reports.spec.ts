// Reports and quality measures (issue 10): a report's chart is drawn from
// the API's rows (one group of bars per row, labelled axes), its CSV
// download holds exactly the chart's rows and columns, the whole report
// downloads as the server writes it, a quality measure lists a patient
// whose follow-up window is open and leads to the patient — every screen
// checked with axe, and both pages on a 390 px phone.
import { readFileSync } from 'node:fs';
import type { APIRequestContext, Download, Locator, Page } from '@playwright/test';
import { DEMO_PASSWORD, expect, mainNav, people, test, uniqueName, type Person } from '../support/app';
import { CareApi, hoursFromNow, listName, screenshot, signInAs, type PatientRef } from '../support/care';
import { PHONE, expectNoSidewaysScroll } from '../support/phone';

type Row = Record<string, string | number | boolean | null>;
type Report = { report: string; period: { from: string; to: string }; group_by: string; rows: Row[]; totals: Row };
type MeasureSpec = { id: string; name: string; rates: string[] };

/** Reads CSV (RFC 4180: quoted cells, doubled quotes, CRLF or LF) into rows of cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += c;
    }
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** A JSON value as the report's CSV writes it (formula-looking text gets a leading quote). */
function sameCell(csv: string, json: string | number | boolean | null): boolean {
  if (json === null) return csv === '';
  if (typeof json === 'number') return csv !== '' && Number(csv) === json;
  if (typeof json === 'boolean') return csv === String(json);
  return csv === (/^[=+\-@\t\r]/.test(json) ? `'${json}` : json);
}

async function token(request: APIRequestContext, who: Person): Promise<string> {
  const res = await request.post('/api/v1/auth/login', { data: { email: who.email, password: DEMO_PASSWORD } });
  expect(res.status()).toBe(200);
  return (await res.json()).access_token;
}

/** The report as the API answers it for the same query. */
async function reportJson(request: APIRequestContext, bearer: string, query: string): Promise<Report> {
  const res = await request.get(`/api/v1/reports/transitions?${query}`, { headers: { Authorization: `Bearer ${bearer}` } });
  expect(res.status(), await res.text()).toBe(200);
  return res.json();
}

async function downloaded(download: Download): Promise<string> {
  const file = await download.path();
  expect(file, 'the download was saved').toBeTruthy();
  return readFileSync(file!, 'utf8');
}

async function openReports(page: Page): Promise<void> {
  await mainNav(page).getByRole('link', { name: 'Reports', exact: true }).click();
  await expect(page).toHaveURL(/\/reports(\?|$)/);
  await expect(page.getByRole('heading', { name: 'Reports', level: 1 })).toBeVisible();
}

/** The link to `patient` in a measure's list, showing more of the list until it is there. */
async function patientInList(page: Page, list: Locator, patient: PatientRef): Promise<Locator> {
  const link = list.getByRole('link', { name: listName(patient), exact: true });
  const more = list.getByRole('button', { name: /^Show more patients/ });
  await expect(list.getByRole('table')).toBeVisible();
  for (let i = 0; i < 40; i++) {
    if ((await link.count()) > 0 || !(await more.isVisible())) break;
    await more.click();
  }
  await expect(link).toBeVisible();
  return link;
}

test.describe('reports and quality measures', () => {
  test('a report draws one group of bars per row of the API with labelled axes, and its CSV holds exactly what the chart shows', async ({
    page,
    request,
  }) => {
    // A discharge of one of Carmen Ruiz's patients: a transitions row of hers, ED.
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Lucia', uniqueName('Report'));
    await cm1.recordStay(patient, {
      kind: 'ed',
      facility: 'Providence Portland Medical Center',
      admitted_at: hoursFromNow(-30),
      discharged_at: hoursFromNow(-6),
    });

    await signInAs(page, people.supervisor);
    await openReports(page);
    await page.getByLabel('Report', { exact: true }).selectOption('transitions');
    await expect(page).toHaveURL(/report=transitions/);
    await expect(page.getByRole('heading', { name: 'Transitions of care', level: 2 })).toBeVisible();

    const from = await page.getByLabel('From', { exact: true }).inputValue();
    const to = await page.getByLabel('To', { exact: true }).inputValue();
    expect(from).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const query = `from=${from}&to=${to}&group_by=care_manager`;
    const bearer = await token(request, people.supervisor);
    const json = await reportJson(request, bearer, query);
    expect(json.report).toBe('transitions');
    const mine = json.rows.filter((r) => r.group === people.cm1.name && r.facility_kind === 'ed');
    expect(mine, 'Carmen Ruiz has an ED row').toHaveLength(1);
    expect(mine[0].discharges as number).toBeGreaterThanOrEqual(1);

    const card = page.getByRole('region', { name: 'Discharges and their follow-up', exact: true });
    const chart = card.getByRole('img', { name: /^Bar chart, Discharges and their follow-up: Discharges, Followed up and Followed up within 24 hours for \d+ rows?\./ });
    await expect(chart).toBeVisible();
    const series = ['discharges', 'followed_up', 'followed_up_within_24h'];
    // One group of bars per row of the API, one bar per figure.
    await expect(chart.locator('g.chart-row')).toHaveCount(json.rows.length);
    await expect(chart.locator('rect.bar')).toHaveCount(json.rows.length * series.length);
    // The axes: their titles, the value axis's ticks from 0, every category named.
    await expect(chart.locator('text.axis-title')).toHaveText(['Care manager · Facility kind', 'Discharges']);
    const ticks = await chart.locator('text.tick-label').allTextContents();
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks[0]).toBe('0');
    const top = Number(ticks[ticks.length - 1].replace(/,/g, ''));
    expect(top).toBeGreaterThanOrEqual(Math.max(...json.rows.flatMap((r) => series.map((s) => r[s] as number))));
    const categories = await chart.locator('text.category-label title').allTextContents();
    expect(categories).toHaveLength(json.rows.length);
    expect(categories).toContain(`${people.cm1.name} · ED`);
    // The legend names the three figures; the table lists every row.
    await expect(card.locator('.chart-legend li')).toHaveText(['Discharges', 'Followed up', 'Followed up within 24 hours']);
    const table = card.getByRole('table', { name: 'Discharges and their follow-up' });
    await expect(table.locator('tbody tr')).toHaveCount(json.rows.length);
    await screenshot(page, 'reports-transitions');

    // The chart's CSV: the chart's columns, the API's rows.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      card.getByRole('button', { name: 'Download CSV of Discharges and their follow-up', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`transitions-follow-up-${from}-to-${to}.csv`);
    const csv = parseCsv(await downloaded(download));
    const header = ['group', 'facility_kind', ...series];
    expect(csv[0]).toEqual(header);
    const body = csv.slice(1);
    expect(body).toHaveLength(json.rows.length);
    body.forEach((cells, i) => {
      header.forEach((column, j) => {
        expect(sameCell(cells[j], json.rows[i][column]), `row ${i + 1}, ${column}: CSV "${cells[j]}", API ${JSON.stringify(json.rows[i][column])}`).toBe(true);
      });
    });
    // … and they are the bars drawn, row by row.
    const rows = chart.locator('g.chart-row');
    for (let i = 0; i < body.length; i++) {
      const values = await rows.nth(i).locator('rect.bar').evaluateAll((bars) => bars.map((b) => b.getAttribute('data-value') ?? ''));
      expect(values.map((v) => Number(v.replace(/,/g, '')))).toEqual(body[i].slice(2).map(Number));
    }

    // The whole report, as the server writes it.
    const [whole] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download full report (CSV)' }).click(),
    ]);
    expect(whole.suggestedFilename()).toBe(`transitions-${from}-to-${to}.csv`);
    const server = await request.get(`/api/v1/reports/transitions?${query}&format=csv`, {
      headers: { Authorization: `Bearer ${bearer}` },
    });
    expect(server.status()).toBe(200);
    expect(await downloaded(whole)).toBe(await server.text());
  });

  test('productivity is drawn as a line per person across the days of the period', async ({ page, request }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Nadia', uniqueName('Minutes'));
    await cm1.post(`/api/v1/patients/${patient.id}/notes`, {
      type: 'care_coordination',
      minutes: 25,
      body: 'Arranged a ride to the clinic.',
    });

    await signInAs(page, people.supervisor);
    await openReports(page);
    await page.getByLabel('Report', { exact: true }).selectOption('productivity');
    const card = page.getByRole('region', { name: 'Documented minutes per day' });
    const chart = card.getByRole('img', { name: /^Line chart, Documented minutes per day: Minutes by day for / });
    await expect(chart).toBeVisible();
    const from = await page.getByLabel('From', { exact: true }).inputValue();
    const to = await page.getByLabel('To', { exact: true }).inputValue();
    const bearer = await token(request, people.supervisor);
    const res = await request.get(`/api/v1/reports/productivity?from=${from}&to=${to}&group_by=care_manager`, {
      headers: { Authorization: `Bearer ${bearer}` },
    });
    const json: Report = await res.json();
    // One point per row of the API; one line per person.
    await expect(chart.locator('g.point')).toHaveCount(json.rows.length);
    const persons = new Set(json.rows.map((r) => r.group_id));
    await expect(chart.locator('g.chart-line')).toHaveCount(persons.size);
    await expect(chart.locator(`g.chart-line[data-line="${people.cm1.name}"]`)).toHaveCount(1);
    await expect(chart.locator('text.axis-title')).toHaveText(['Minutes', 'Day']);
    const share = page.getByRole('region', { name: 'Care-coordination share per day' });
    await expect(share.locator('.standard-band text')).toHaveText('Standard 80%–90%');
    await screenshot(page, 'reports-productivity');
  });

  test('a quality measure lists a patient whose follow-up window is open, and the patient opens from the list', async ({
    page,
    request,
  }) => {
    // Discharged from a psychiatric unit three days ago, no follow-up visit yet:
    // FUH's 30-day window is open now and closes within 30 days.
    const cm1 = await CareApi.signIn(request, people.cm1);
    const patient = await cm1.createPatient('Teodora', uniqueName('Measure'));
    await cm1.recordStay(patient, {
      kind: 'inpatient_psych',
      facility: 'Unity Center for Behavioral Health',
      admitted_at: hoursFromNow(-24 * 10),
      discharged_at: hoursFromNow(-24 * 3),
    });
    const specs = (await cm1.get<{ items: MeasureSpec[] }>('/api/v1/measures')).items;
    expect(specs).toHaveLength(5);

    await signInAs(page, people.supervisor);
    await mainNav(page).getByRole('link', { name: 'Quality measures', exact: true }).click();
    await expect(page).toHaveURL(/\/measures(\?|$)/);
    await expect(page.getByRole('heading', { name: 'Quality measures', level: 1 })).toBeVisible();
    const list = page.getByTestId('measures');
    await expect(list.getByRole('heading', { level: 2 })).toHaveText(specs.map((s) => s.name));
    const fuh = list.locator('[data-measure="fuh"]');
    await expect(fuh.locator('dt')).toHaveText(['Followed up within 7 days', 'Followed up within 30 days']);
    await expect(fuh.locator('.measure-counts')).toContainText(/\d+ windows? open now/);
    await screenshot(page, 'measures');

    await fuh.getByRole('link', { name: 'Follow-up after hospitalization for mental illness' }).click();
    await expect(page).toHaveURL(/\/measures\/fuh\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/);
    await expect(page.getByRole('heading', { name: 'Follow-up after hospitalization for mental illness', level: 1 })).toBeVisible();
    await expect(page.getByRole('region', { name: 'How it is measured' })).toContainText('inpatient psychiatric stay');
    const rates = page.getByRole('region', { name: 'Rates', exact: true });
    await expect(rates.getByRole('img', { name: /^Bar chart, Rates:/ })).toBeVisible();
    await expect(rates.getByRole('table', { name: 'Rates' }).locator('tbody tr')).toHaveCount(2);

    const openNow = page.getByRole('region', { name: /^Windows open now \(\d+\)$/ });
    const link = await patientInList(page, openNow, patient);
    const row = openNow.getByRole('row').filter({ has: page.getByRole('link', { name: listName(patient), exact: true }) });
    await expect(row).toContainText('30-day follow-up');
    await expect(row).toContainText('Pending: no follow-up yet');
    const closing = page.getByRole('region', { name: /^Windows closing within 30 days \(\d+\)$/ });
    await patientInList(page, closing, patient);

    // The other lists open on request.
    const excludedList = page.getByRole('region', { name: /^Excluded or pending \(\d+\)$/ });
    const toggle = excludedList.getByRole('button', { name: /^Excluded or pending/ });
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await patientInList(page, excludedList, patient);
    await screenshot(page, 'measure-fuh');

    await link.click();
    await expect(page).toHaveURL(new RegExp(`/patients/${patient.id}$`));
    await expect(page.getByRole('heading', { name: listName(patient), level: 1 })).toBeVisible();
  });

  test('the reports and measures screens fit a 390 px screen with no axe violations', async ({ page }) => {
    await page.setViewportSize(PHONE);
    await signInAs(page, people.supervisor);
    await openReports(page);
    await expect(page.getByRole('heading', { name: 'Caseload', level: 2 })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Clients by case status now' }).getByRole('img')).toBeVisible();
    await expectNoSidewaysScroll(page, 'reports');
    await screenshot(page, 'phone-reports');

    await page.getByLabel('Report', { exact: true }).selectOption('referrals');
    await expect(page.getByRole('heading', { name: 'Referrals', level: 2 })).toBeVisible();
    await expectNoSidewaysScroll(page, 'reports-referrals');
    await screenshot(page, 'phone-reports-referrals');

    await mainNav(page).getByRole('link', { name: 'Quality measures', exact: true }).click();
    await expect(page.getByTestId('measures').locator('[data-measure]')).toHaveCount(5);
    await expect(page.getByTestId('measures').getByRole('status')).toHaveCount(0);
    await expectNoSidewaysScroll(page, 'measures');
    await screenshot(page, 'phone-measures');

    await page.getByRole('link', { name: 'Follow-up after hospitalization for mental illness' }).click();
    await expect(page.getByRole('region', { name: 'Rates', exact: true }).getByRole('img')).toBeVisible();
    await expectNoSidewaysScroll(page, 'measure-fuh');
    await screenshot(page, 'phone-measure-fuh');
  });
});
