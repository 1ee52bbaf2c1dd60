import type { Page } from '@playwright/test';
import { expectNoAxeViolations } from '../support/a11y';
import { expect, mainNav, openPatients, people, screen, signIn, test } from '../support/app';

/** The worklist screens' code (a split module with a hashed name). */
const WORKLIST_CODE = /\/split_worklists-[^/]*\.wasm$/;

/** Holds back every request to `url` until the function returned is called. */
async function holdBack(page: Page, url: string | RegExp): Promise<() => void> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(url, async (route) => {
    await held;
    await route.continue();
  });
  return release;
}

test.describe('signing in and out', () => {
  test('a care manager signs in to their worklist and opens the patient list', async ({ page }) => {
    await signIn(page, people.cm1);

    await expect(page).toHaveURL(/\/worklist$/);
    await expect(page.getByRole('heading', { name: 'My worklist', level: 1 })).toBeVisible();
    await openPatients(page);
    await expect(page).toHaveTitle('Patients · Care Manager');
    await expect(page.getByRole('heading', { name: 'Patients', level: 1 })).toBeVisible();
    const banner = page.getByRole('banner');
    await expect(banner).toContainText('Riverside Community Health');
    await expect(banner).toContainText('Carmen Ruiz');
    await expect(banner).toContainText('Care manager');
    const table = page.getByRole('table', { name: 'Patients' });
    await expect(table.getByRole('columnheader')).toHaveText([
      'Name',
      'Date of birth',
      'Status',
      'Risk',
      'Care manager',
      'Identifier',
    ]);
    await expect(page.getByText('Showing the first 25 patients')).toBeVisible();
    await expect(table.getByRole('rowheader')).toHaveCount(25);
    await screen(page, 'patients-after-sign-in');
  });

  test('a wrong password shows an error and the person can try again', async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Email').fill(people.viewer.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();

    const alert = page.getByRole('alert');
    await expect(alert).toContainText('The email or password is not right.');
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expect(page).toHaveURL(/\/login$/);
    // The password is cleared and focused for the next try; the email stays.
    await expect(page.getByLabel('Password')).toHaveValue('');
    await expect(page.getByLabel('Password')).toBeFocused();
    await expect(page.getByLabel('Email')).toHaveValue(people.viewer.email);
    await screen(page, 'sign-in-wrong-password');

    await page.getByLabel('Password').fill('demo-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('banner')).toContainText(people.viewer.name);
    await expect(page).not.toHaveURL(/\/login/);
  });

  test('an empty sign-in form says what is missing without asking the server', async ({ page }) => {
    await page.goto('/login');
    let requests = 0;
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/auth/login')) requests += 1;
    });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('Enter your email address.')).toBeVisible();
    await expect(page.getByLabel('Email')).toBeFocused();
    await page.getByLabel('Email').fill(people.viewer.email);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('Enter your password.')).toBeVisible();
    await expect(page.getByLabel('Password')).toBeFocused();
    await expectNoAxeViolations(page, 'sign-in-missing-password');
    expect(requests).toBe(0);
  });

  test('a signed-in person stays signed in across a reload', async ({ page }) => {
    await signIn(page, people.cm2);
    await openPatients(page);
    await page.reload();
    await expect(page.getByRole('banner')).toContainText(people.cm2.name);
    await expect(page.getByRole('heading', { name: 'Patients', level: 1 })).toBeVisible();
  });

  test('after signing out, a protected page sends the person to sign in and back', async ({ page }) => {
    await signIn(page, people.supervisor);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    expect(await page.evaluate(() => localStorage.getItem('caremgr.refresh_token'))).toBeNull();

    await page.goto('/audit');
    await expect(page).toHaveURL(/\/login\?next=%2Faudit$/);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await screen(page, 'signed-out-redirect');

    await page.getByLabel('Email').fill(people.supervisor.email);
    await page.getByLabel('Password').fill('demo-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/audit$/);
    await expect(page.getByRole('heading', { name: 'Audit trail', level: 1 })).toBeVisible();
  });

  test('signing out while the first screen is still loading leaves no screen running', async ({ page }) => {
    // The worklist's code arrives only after the person has pressed "Sign
    // out", and the sign-out call is held until then: the worklist renders
    // with the tokens already forgotten, its first request finds no session
    // and ends it, and the shell drops the screen while that request's
    // answer is still on its way through the screen's code.
    const releaseCode = await holdBack(page, WORKLIST_CODE);
    const codeArrived = page.waitForResponse(WORKLIST_CODE);
    const releaseLogout = await holdBack(page, '**/api/v1/auth/logout');

    await signIn(page, people.supervisor);
    await page.getByRole('button', { name: 'Sign out' }).click();
    releaseCode();
    await codeArrived;
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    releaseLogout();
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    expect(await page.evaluate(() => localStorage.getItem('caremgr.refresh_token'))).toBeNull();
  });

  test('when the server ends the sign-in while the first screen is loading, the app says why', async ({ page }) => {
    const releaseCode = await holdBack(page, WORKLIST_CODE);
    await signIn(page, people.cm2);
    const refreshToken = await page.evaluate(() => localStorage.getItem('caremgr.refresh_token'));
    const ended = await page.request.post('/api/v1/auth/logout', { data: { refresh_token: refreshToken } });
    expect(ended.status()).toBe(204);

    releaseCode();
    await expect(page).toHaveURL(/\/login/);
    await expect(page.getByText('You signed out; sign in again.')).toBeVisible();
  });

  test('when the server ends the sign-in, the app signs the person out and says why', async ({ page }) => {
    await signIn(page, people.cm2);
    await openPatients(page);
    // The sign-in ends elsewhere (another tab, or the server): its refresh
    // token is spent, so every access token of it stops working at once.
    const refreshToken = await page.evaluate(() => localStorage.getItem('caremgr.refresh_token'));
    expect(refreshToken).not.toBeNull();
    const ended = await page.request.post('/api/v1/auth/logout', {
      data: { refresh_token: refreshToken },
    });
    expect(ended.status()).toBe(204);

    await mainNav(page).getByRole('link', { name: 'My worklist' }).click();
    await expect(page).toHaveURL(/\/login/);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expect(page.getByText('You signed out; sign in again.')).toBeVisible();
    await screen(page, 'signed-out-by-the-server');
  });
});
