import {
  Api,
  expect,
  mainNav,
  openPatients,
  people,
  screen,
  signIn,
  test,
  uniqueName,
  type Person,
} from '../support/app';

const ADMIN_LINKS = ['Users', 'API keys', 'Webhooks', 'Audit trail'];

// What each role must and must not find in the main navigation and on the
// patient list (other entries may come and go as the app grows).
const roles: { who: Person; nav: string[]; notInNav: string[]; canRegister: boolean }[] = [
  { who: people.admin, nav: ['Patients', ...ADMIN_LINKS], notInNav: [], canRegister: true },
  { who: people.supervisor, nav: ['Patients', 'Audit trail'], notInNav: ['Users', 'API keys', 'Webhooks'], canRegister: true },
  { who: people.cm1, nav: ['Patients'], notInNav: ADMIN_LINKS, canRegister: true },
  { who: people.viewer, nav: ['Patients'], notInNav: ADMIN_LINKS, canRegister: false },
];

test.describe('what each role sees', () => {
  for (const { who, nav, notInNav, canRegister } of roles) {
    test(`the ${who.role.toLowerCase()} sees only the navigation and actions their role allows`, async ({ page }) => {
      await signIn(page, who);
      await expect(page.getByRole('banner')).toContainText(who.role);
      const links = mainNav(page).getByRole('link');
      for (const name of nav) {
        await expect(links.filter({ hasText: new RegExp(`^${name}$`) })).toHaveCount(1);
      }
      for (const name of notInNav) {
        await expect(links.filter({ hasText: new RegExp(`^${name}$`) })).toHaveCount(0);
      }
      await openPatients(page);
      await expect(page.getByRole('link', { name: 'New patient' })).toHaveCount(canRegister ? 1 : 0);
      await screen(page, `nav-${who.role.toLowerCase().replace(' ', '-')}`);
    });
  }

  test('a viewer can read patients but not create or change them', async ({ page, request }) => {
    const api = await Api.signIn(request, people.supervisor);
    const patient = await api.createPatient({
      given_name: 'Vera',
      family_name: uniqueName('Readonly'),
      status: 'active',
    });

    await signIn(page, people.viewer);
    await openPatients(page);
    await expect(page.getByRole('link', { name: 'New patient' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'My patients' })).toHaveCount(0);

    await page.goto(`/patients/${patient.id}`);
    await expect(page.getByRole('heading', { name: /Vera/, level: 1 })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Demographics', exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Edit details' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Change status' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Assign care manager' })).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'View audit trail' })).toHaveCount(0);
    await screen(page, 'viewer-patient');

    for (const path of ['/patients/new', '/admin/users', '/admin/api-keys', '/audit']) {
      await page.goto(path);
      await expect(page.getByRole('heading', { name: 'You do not have access to this page' })).toBeVisible();
    }
  });

  test('a care manager can register patients but not reach administration or the audit trail', async ({
    page,
  }) => {
    await signIn(page, people.cm2);
    await openPatients(page);
    await expect(page.getByRole('link', { name: 'New patient' })).toBeVisible();
    await expect(mainNav(page).getByRole('link', { name: 'Users' })).toHaveCount(0);
    await expect(mainNav(page).getByRole('link', { name: 'API keys' })).toHaveCount(0);
    for (const path of ['/admin/users', '/admin/api-keys', '/audit']) {
      await page.goto(path);
      await expect(page.getByRole('heading', { name: 'You do not have access to this page' })).toBeVisible();
      await expect(page.getByRole('button', { name: /Add user|Create API key/ })).toHaveCount(0);
    }
    await screen(page, 'care-manager-not-allowed');
    await page.getByRole('link', { name: 'Back to patients' }).click();
    await expect(page.getByRole('heading', { name: 'Patients', level: 1 })).toBeVisible();
  });

  test('another organization\'s admin sees their own organization and none of Riverside\'s patients', async ({
    page,
    request,
  }) => {
    const api = await Api.signIn(request, people.supervisor);
    const family = uniqueName('Private');
    const patient = await api.createPatient({ given_name: 'Rita', family_name: family });

    await signIn(page, people.lakesideAdmin);
    await expect(page.getByRole('banner')).toContainText('Lakeside Health Home');
    await openPatients(page);
    await expect(page.getByText('10 patients', { exact: true })).toBeVisible();
    await page.getByRole('searchbox', { name: 'Search patients' }).fill(family);
    await expect(page.getByRole('heading', { name: 'No patients found' })).toBeVisible();

    await page.goto(`/patients/${patient.id}`);
    await expect(page.getByRole('alert').filter({ hasText: 'Not found' })).toBeVisible();
    await expect(page.getByRole('heading', { name: /Rita/ })).toHaveCount(0);
    await screen(page, 'other-organization-not-found');
  });
});
