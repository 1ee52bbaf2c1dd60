// Helpers for the care-coordination browser tests (worklist, patient record
// tabs, team view): a JSON API client to arrange patients, stays,
// appointments and tasks; signing in without assuming the start page;
// wall-clock values for `datetime-local` inputs; and `screenshot`, the
// key-point screenshot plus axe check of support/app.ts under its old name.
import { test as base, expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { DEMO_PASSWORD, screen, type Person } from './app';

export type Me = { id: string; email: string; name: string; role: string };
export type PatientRef = { id: string; given_name: string; family_name: string; version: number };
export type Task = {
  id: string;
  patient_id: string;
  assignee_id: string | null;
  kind: string;
  title: string;
  status: string;
  version: number;
  due_at: string;
  outcome: string | null;
  cancel_reason: string | null;
  transition_outcome: Record<string, unknown> | null;
  outreach_attempts: number;
};
export type Appointment = { id: string; status: string; version: number; followup_task_id: string | null };
export type Encounter = { id: string; version: number; followup_task_id: string | null };

const HOUR = 3600_000;

/** An instant `hours` from now (negative: in the past), RFC 3339. */
export function hoursFromNow(hours: number): string {
  return new Date(Date.now() + hours * HOUR).toISOString();
}

/** The browser's time zone (the Playwright config pins one). */
function browserZone(): string {
  return (base.info().project.use.timezoneId as string | undefined) ?? 'UTC';
}

/** Wall-clock `YYYY-MM-DDTHH:MM` in the browser's zone, for `datetime-local` inputs. */
export function localInput(at: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: browserZone(),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

/** The calendar date `days` from today in the browser's zone, `YYYY-MM-DD`. */
export function localDate(days: number): string {
  return localInput(new Date(Date.now() + days * 24 * HOUR)).slice(0, 10);
}

/** Screenshot as artifacts/screens/<name>.png plus the axe check: `screen` of support/app.ts. */
export const screenshot = screen;

/** Signs in through the sign-in page and waits for the signed-in shell (wherever it starts). */
export async function signInAs(page: Page, who: Person): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('banner')).toContainText(who.name);
}

/** Opens the signed-in person's worklist from the main navigation. */
export async function openMyWorklist(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My worklist' }).click();
  await expect(page).toHaveURL(/\/worklist$/);
  await expect(page.getByRole('heading', { name: 'My worklist', level: 1 })).toBeVisible();
}

/** The worklist item about `patientName` (optionally of a kind), loading more pages until it shows. */
export async function worklistItem(page: Page, patientName: string, kind?: string): Promise<Locator> {
  let item = page.locator('li.work-item').filter({ has: page.getByRole('link', { name: patientName, exact: true }) });
  if (kind) item = item.filter({ hasText: kind });
  const more = page.getByRole('button', { name: 'Load more work' });
  const items = page.locator('li.work-item');
  await expect(items.first().or(page.getByRole('heading', { name: 'Nothing on this worklist' }))).toBeVisible();
  for (let i = 0; i < 20; i++) {
    if ((await item.count()) > 0 || !(await more.isVisible())) break;
    const before = await items.count();
    await more.click();
    await expect.poll(() => items.count()).toBeGreaterThan(before);
  }
  await expect(item).toHaveCount(1);
  return item;
}

/** A signed-in JSON API session for arranging data. */
export class CareApi {
  private constructor(
    private readonly request: APIRequestContext,
    private readonly token: string,
    readonly me: Me,
  ) {}

  static async signIn(request: APIRequestContext, who: Person): Promise<CareApi> {
    const res = await request.post('/api/v1/auth/login', { data: { email: who.email, password: DEMO_PASSWORD } });
    expect(res.status(), `sign-in of ${who.email}`).toBe(200);
    const token = (await res.json()).access_token as string;
    const me = await request.get('/api/v1/auth/me', { headers: { Authorization: `Bearer ${token}` } });
    expect(me.status()).toBe(200);
    return new CareApi(request, token, await me.json());
  }

  private headers(extra: Record<string, string> = {}) {
    return { Authorization: `Bearer ${this.token}`, ...extra };
  }

  async get<T>(url: string): Promise<T> {
    const res = await this.request.get(url, { headers: this.headers() });
    expect(res.status(), `GET ${url}: ${await res.text()}`).toBe(200);
    return res.json();
  }

  async post<T>(url: string, data: unknown, status = 201): Promise<T> {
    const res = await this.request.post(url, { headers: this.headers(), data });
    expect(res.status(), `POST ${url}: ${await res.text()}`).toBe(status);
    return res.json();
  }

  /** PATCH with `If-Match`; returns the raw answer so callers can check refusals. */
  async patchRaw(url: string, version: number, data: unknown) {
    return this.request.patch(url, { headers: this.headers({ 'If-Match': `W/"${version}"` }), data });
  }

  async patch<T>(url: string, version: number, data: unknown): Promise<T> {
    const res = await this.patchRaw(url, version, data);
    expect(res.status(), `PATCH ${url}: ${await res.text()}`).toBe(200);
    return res.json();
  }

  /** A patient (a care manager registering one becomes their care manager). */
  async createPatient(given: string, family: string, extra: Record<string, unknown> = {}): Promise<PatientRef> {
    return this.post('/api/v1/patients', {
      given_name: given,
      family_name: family,
      birth_date: '1979-06-14',
      sex: 'female',
      status: 'active',
      ...extra,
    });
  }

  /** A hospital, ED or crisis stay; with `discharged_at` a transition follow-up is created. */
  async recordStay(patient: PatientRef, stay: Record<string, unknown>): Promise<Encounter> {
    return this.post('/api/v1/encounters', { patient_id: patient.id, kind: 'ed', ...stay });
  }

  async createAppointment(patient: PatientRef, appt: Record<string, unknown>): Promise<Appointment> {
    return this.post('/api/v1/appointments', { patient_id: patient.id, kind: 'therapy', ...appt });
  }

  /** Marks an appointment missed (creates the missed-appointment follow-up). */
  async markMissed(appt: Appointment): Promise<Appointment> {
    return this.patch(`/api/v1/appointments/${appt.id}`, appt.version, { status: 'missed' });
  }

  async createTask(patient: PatientRef, task: Record<string, unknown>): Promise<Task> {
    return this.post('/api/v1/tasks', { patient_id: patient.id, ...task });
  }

  async tasks(patient: PatientRef, query = ''): Promise<Task[]> {
    const page = await this.get<{ items: Task[] }>(`/api/v1/tasks?patient_id=${patient.id}&limit=200${query}`);
    return page.items;
  }

  /** The one task of `kind` for the patient. */
  async taskOf(patient: PatientRef, kind: string): Promise<Task> {
    const found = await this.tasks(patient, `&kind=${kind}`);
    expect(found, `${kind} tasks of ${patient.family_name}`).toHaveLength(1);
    return found[0];
  }

  async updateTask(task: Task, patch: Record<string, unknown>): Promise<Task> {
    return this.patch(`/api/v1/tasks/${task.id}`, task.version, patch);
  }

  async userByEmail(email: string): Promise<Me> {
    const page = await this.get<{ items: Me[] }>('/api/v1/users?limit=200');
    const user = page.items.find((u) => u.email === email);
    if (!user) throw new Error(`no user ${email}`);
    return user;
  }
}

/** "Family, Given" as lists show a patient. */
export function listName(p: PatientRef): string {
  return `${p.family_name}, ${p.given_name}`;
}
