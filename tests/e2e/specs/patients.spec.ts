import { Api, expect, openPatients, people, screen, signIn, test, uniqueName } from '../support/app';

const pad = (n: number) => String(n).padStart(2, '0');

test.describe('the patient list', () => {
  test('a care manager finds a patient by name, in either order, and by identifier', async ({
    page,
    request,
  }) => {
    const api = await Api.signIn(request, people.supervisor);
    const family = uniqueName('Srch');
    const mrn = `MRN-${family.toUpperCase()}`;
    const maria = await api.createPatient({
      given_name: 'Maribel',
      family_name: family,
      identifiers: [{ system: 'urn:riverside:ehr:mrn', value: mrn }],
    });
    await api.createPatient({ given_name: 'Tomas', family_name: family });

    await signIn(page, people.cm1);
    await openPatients(page);
    const search = page.getByRole('searchbox', { name: 'Search patients' });
    const table = page.getByRole('table', { name: 'Patients' });
    const names = table.getByRole('rowheader');

    await search.fill(family.slice(0, -1).toLowerCase());
    await expect(names).toHaveText([`${family}, Maribel`, `${family}, Tomas`]);
    await expect(page.getByText('2 patients', { exact: true })).toBeVisible();

    await search.fill(`tom ${family}`);
    await expect(names).toHaveText([`${family}, Tomas`]);
    await expect(page.getByText('1 patient', { exact: true })).toBeVisible();

    await search.fill(`${family}, mari`);
    await expect(names).toHaveText([`${family}, Maribel`]);

    await search.fill(mrn);
    await search.press('Enter');
    await expect(names).toHaveText([`${family}, Maribel`]);
    const row = table.getByRole('row', { name: new RegExp(`${family}, Maribel`) });
    await expect(row.getByRole('cell').last()).toHaveText(mrn);
    await screen(page, 'patients-search');

    await row.getByRole('link', { name: `${family}, Maribel` }).click();
    await expect(page).toHaveURL(`/patients/${maria.id}`);
    await expect(page.getByRole('heading', { name: `${family}, Maribel`, level: 1 })).toBeVisible();

    // The search is kept when the person comes back to the list.
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Patients' }).click();
    await expect(search).toHaveValue(mrn);
    await expect(names).toHaveText([`${family}, Maribel`]);
  });

  test('a search that matches nobody says so and the filters can be cleared', async ({ page }) => {
    await signIn(page, people.cm1);
    await openPatients(page);
    const search = page.getByRole('searchbox', { name: 'Search patients' });
    await search.fill(uniqueName('Nobody'));
    await expect(page.getByRole('heading', { name: 'No patients found' })).toBeVisible();
    await expect(page.getByText('No patient matches this search and these filters.')).toBeVisible();
    await screen(page, 'patients-no-match');

    await page.getByRole('button', { name: 'Clear search and filters' }).click();
    await expect(search).toHaveValue('');
    await expect(page.getByText('Showing the first 25 patients')).toBeVisible();
    await expect(page.getByRole('table', { name: 'Patients' }).getByRole('rowheader')).toHaveCount(25);
  });

  test('a long list comes in pages with a "Load more" button', async ({ page, request }) => {
    const api = await Api.signIn(request, people.supervisor);
    const family = uniqueName('Page');
    for (let i = 1; i <= 30; i += 1) {
      await api.createPatient({ given_name: `Member${pad(i)}`, family_name: family });
    }

    await signIn(page, people.cm3);
    await openPatients(page);
    await page.getByRole('searchbox', { name: 'Search patients' }).fill(family);
    const names = page.getByRole('table', { name: 'Patients' }).getByRole('rowheader');
    const expected = Array.from({ length: 30 }, (_, i) => `${family}, Member${pad(i + 1)}`);

    await expect(names).toHaveText(expected.slice(0, 25));
    await expect(page.getByText('Showing the first 25 patients')).toBeVisible();
    const more = page.getByRole('button', { name: 'Load more patients' });
    await more.click();
    await expect(names).toHaveText(expected);
    await expect(page.getByText('30 patients', { exact: true })).toBeVisible();
    await expect(more).toBeHidden();
    await screen(page, 'patients-all-pages');
  });

  test('the list filters by status, risk level and "my patients"', async ({ page, request }) => {
    const api = await Api.signIn(request, people.supervisor);
    const carmen = await api.userByEmail(people.cm1.email);
    const family = uniqueName('Filt');
    await api.createPatient({
      given_name: 'Hana',
      family_name: family,
      status: 'active',
      risk_level: 'very_high',
      primary_care_manager_id: carmen.id,
    });
    await api.createPatient({ given_name: 'Ines', family_name: family, status: 'intake', risk_level: 'low' });

    await signIn(page, people.cm1);
    await openPatients(page);
    await page.getByRole('searchbox', { name: 'Search patients' }).fill(family);
    const names = page.getByRole('table', { name: 'Patients' }).getByRole('rowheader');
    await expect(names).toHaveText([`${family}, Hana`, `${family}, Ines`]);

    await page.getByLabel('Status').selectOption({ label: 'Intake' });
    await expect(names).toHaveText([`${family}, Ines`]);
    await page.getByLabel('Status').selectOption({ label: 'Any status' });
    await expect(names).toHaveText([`${family}, Hana`, `${family}, Ines`]);

    await page.getByLabel('Risk level').selectOption({ label: 'Very high' });
    await expect(names).toHaveText([`${family}, Hana`]);
    await page.getByLabel('Risk level').selectOption({ label: 'Any risk level' });

    const mine = page.getByRole('button', { name: 'My patients' });
    await mine.click();
    await expect(mine).toHaveAttribute('aria-pressed', 'true');
    await expect(names).toHaveText([`${family}, Hana`]);
    await expect(page.getByRole('row', { name: new RegExp(`${family}, Hana`) })).toContainText('Carmen Ruiz');
    await screen(page, 'patients-filtered');

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect(mine).toHaveAttribute('aria-pressed', 'false');
    await expect(page.getByText('Showing the first 25 patients')).toBeVisible();
  });
});
