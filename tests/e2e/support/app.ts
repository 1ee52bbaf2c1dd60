// Shared helpers for the browser tests: the demo people, signing in through
// the UI, a small JSON API client for arranging data, unique names, and the
// full-page screenshots kept under artifacts/screens/, each of a screen that
// is checked with axe (support/a11y.ts).
import path from 'node:path';
import { test as base, expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './a11y';

export { expect };

/**
 * Collects what would mean the SPA crashed: uncaught exceptions and Rust
 * panics (console_error_panic_hook logs them). Failed HTTP answers are not
 * crashes (a 401 or 412 is part of several tests).
 */
export function watchForCrashes(page: Page): string[] {
  const crashes: string[] = [];
  page.on('pageerror', (e) => crashes.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /panicked|RuntimeError|unreachable/i.test(m.text())) {
      crashes.push(`console: ${m.text()}`);
    }
  });
  return crashes;
}

/** `test` whose `page` fails the test if the SPA crashed along the way. */
export const test = base.extend({
  page: async ({ page }, use) => {
    const crashes = watchForCrashes(page);
    await use(page);
    expect(crashes, 'the SPA must not crash').toEqual([]);
  },
});

/** Every demo account's password (local demo credentials, see api/src/seed.rs). */
export const DEMO_PASSWORD = 'demo-password-1';

export type Person = { email: string; name: string; role: string };

/** The seeded people (`caremgr seed-demo`). */
export const people = {
  admin: { email: 'admin@riverside.example', name: 'Avery Admin', role: 'Admin' },
  supervisor: { email: 'supervisor@riverside.example', name: 'Sam Okafor', role: 'Supervisor' },
  cm1: { email: 'cm1@riverside.example', name: 'Carmen Ruiz', role: 'Care manager' },
  cm2: { email: 'cm2@riverside.example', name: 'Devon Park', role: 'Care manager' },
  cm3: { email: 'cm3@riverside.example', name: 'Priya Shah', role: 'Care manager' },
  viewer: { email: 'viewer@riverside.example', name: 'Quinn Reporter', role: 'Viewer' },
  lakesideAdmin: { email: 'admin@lakeside.example', name: 'Lee Admin', role: 'Admin' },
} satisfies Record<string, Person>;

/**
 * A name nobody else uses: letters only (the patient search matches name
 * prefixes), starting with `prefix`, so each test finds exactly its own data
 * in the shared database.
 */
export function uniqueName(prefix: string): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  let n = Date.now() * 1000 + Math.floor(Math.random() * 1000);
  let out = '';
  while (n > 0) {
    out = letters[n % 26] + out;
    n = Math.floor(n / 26);
  }
  return prefix + out;
}

/**
 * A key point of a test: saves a full-page screenshot as
 * artifacts/screens/<name>.png, attaches it to the report, and then fails the
 * test unless the screen as shown passes axe (WCAG 2.1 AA) with no violations.
 */
export async function screen(page: Page, name: string): Promise<void> {
  const info = base.info();
  const file = path.join(info.project.outputDir, 'screens', `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await info.attach(name, { path: file, contentType: 'image/png' });
  await expectNoAxeViolations(page, name);
}

/** Signs in through the sign-in page and waits for the signed-in shell. */
export async function signIn(page: Page, who: Person, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Sign in', level: 1 })).toBeVisible();
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('banner')).toContainText(who.name);
}

/** Opens the patient list from the main navigation (no reload). */
export async function openPatients(page: Page): Promise<void> {
  await mainNav(page).getByRole('link', { name: 'Patients', exact: true }).click();
  await expect(page).toHaveURL(/\/patients$/);
  await expect(page.getByRole('heading', { name: 'Patients', level: 1 })).toBeVisible();
}

/** The value shown for `term` in a list of facts (`<dt>term</dt><dd>value</dd>`) inside `scope`. */
export function fact(scope: Locator, term: string): Locator {
  const exact = new RegExp(`^\\s*${term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  return scope.locator('.fact', { has: scope.page().locator('dt', { hasText: exact }) }).locator('dd');
}

/** The main navigation of the signed-in shell. */
export function mainNav(page: Page) {
  return page.getByRole('navigation', { name: 'Main' });
}

export type Patient = {
  id: string;
  given_name: string;
  family_name: string;
  phone: string | null;
  email: string | null;
  status: string;
  version: number;
  primary_care_manager_id: string | null;
  identifiers: { system: string; value: string }[];
};

export type User = { id: string; email: string; name: string; role: string; active: boolean; version: number };

/** A signed-in JSON API session (someone else working at the same time, or test set-up). */
export class Api {
  private constructor(
    private readonly request: APIRequestContext,
    private readonly token: string,
  ) {}

  static async signIn(request: APIRequestContext, who: Person, password = DEMO_PASSWORD): Promise<Api> {
    const res = await request.post('/api/v1/auth/login', { data: { email: who.email, password } });
    expect(res.status(), `sign-in of ${who.email}`).toBe(200);
    const body = await res.json();
    return new Api(request, body.access_token);
  }

  private headers(extra: Record<string, string> = {}) {
    return { Authorization: `Bearer ${this.token}`, ...extra };
  }

  async userByEmail(email: string): Promise<User> {
    const res = await this.request.get('/api/v1/users?limit=200', { headers: this.headers() });
    expect(res.status()).toBe(200);
    const page = await res.json();
    const user = (page.items as User[]).find((u) => u.email === email);
    if (!user) throw new Error(`no user ${email}`);
    return user;
  }

  async createUser(user: { email: string; name: string; role: string; password: string }): Promise<User> {
    const res = await this.request.post('/api/v1/users', { headers: this.headers(), data: user });
    expect(res.status(), await res.text()).toBe(201);
    return res.json();
  }

  async updateUser(user: User, patch: Record<string, unknown>): Promise<User> {
    const res = await this.request.patch(`/api/v1/users/${user.id}`, {
      headers: this.headers({ 'If-Match': `W/"${user.version}"` }),
      data: patch,
    });
    expect(res.status(), await res.text()).toBe(200);
    return res.json();
  }

  async createPatient(patient: Record<string, unknown>): Promise<Patient> {
    const res = await this.request.post('/api/v1/patients', {
      headers: this.headers(),
      data: { birth_date: '1980-04-02', sex: 'female', ...patient },
    });
    expect(res.status(), await res.text()).toBe(201);
    return res.json();
  }

  async getPatient(id: string): Promise<Patient> {
    const res = await this.request.get(`/api/v1/patients/${id}`, { headers: this.headers() });
    expect(res.status()).toBe(200);
    return res.json();
  }

  async updatePatient(patient: Patient, patch: Record<string, unknown>): Promise<Patient> {
    const res = await this.request.patch(`/api/v1/patients/${patient.id}`, {
      headers: this.headers({ 'If-Match': `W/"${patient.version}"` }),
      data: patch,
    });
    expect(res.status(), await res.text()).toBe(200);
    return res.json();
  }
}
