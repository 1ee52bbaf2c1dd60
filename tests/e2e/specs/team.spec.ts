import { expect, people, test, uniqueName } from '../support/app';
import { CareApi, hoursFromNow, listName, screenshot, signInAs, worklistItem } from '../support/care';

test.describe('the team view', () => {
  test('a supervisor sees the team\'s workload and reassigns a task to another care manager', async ({
    page,
    request,
  }) => {
    const cm1 = await CareApi.signIn(request, people.cm1);
    const devon = await cm1.userByEmail(people.cm2.email);
    const patient = await cm1.createPatient('Rafael', uniqueName('Reassign'));
    await cm1.recordStay(patient, {
      facility: 'Riverside General Hospital',
      admitted_at: hoursFromNow(-12),
      discharged_at: hoursFromNow(-1),
    });

    await signInAs(page, people.supervisor);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Team' }).click();
    await expect(page).toHaveURL(/\/team$/);
    await expect(page.getByRole('heading', { name: 'Team', level: 1 })).toBeVisible();

    const table = page.getByRole('table', { name: 'Workload by person' });
    await expect(table.getByRole('columnheader')).toHaveText([
      'Name',
      'Role',
      'Active patients',
      'Open tasks',
      'Overdue',
      'Due today',
      'Transition follow-ups within 24 h (30 days)',
    ]);
    for (const who of [people.cm1, people.cm2, people.cm3, people.supervisor]) {
      await expect(table.getByRole('rowheader', { name: new RegExp(who.name) })).toBeVisible();
    }
    const carmen = table.getByRole('row', { name: new RegExp(people.cm1.name) });
    const cells = carmen.getByRole('cell');
    await expect(cells.nth(0)).toHaveText('Care manager');
    expect(Number(await cells.nth(2).textContent())).toBeGreaterThanOrEqual(1);
    await expect(cells.nth(5)).toHaveText(/^(\d+% \(\d+ of \d+\)|None finished)$/);
    await expect(table.getByRole('row', { name: new RegExp(people.supervisor.name) })).toContainText('(you)');
    await screenshot(page, 'team');

    // A care manager's worklist, opened from the team table.
    await carmen.getByRole('link', { name: people.cm1.name }).click();
    await expect(page.getByRole('heading', { name: `Worklist of ${people.cm1.name}`, level: 1 })).toBeVisible();
    const item = await worklistItem(page, listName(patient), 'Transition follow-up');
    await item.getByRole('button', { name: 'Reassign' }).click();
    await expect(item.getByLabel('Assign to')).toBeFocused();
    await expect(item.getByLabel('Assign to').locator('option', { hasText: people.cm1.name })).toHaveCount(0);
    await item.getByLabel('Assign to').selectOption({ label: `${people.cm2.name} (Care manager)` });
    await screenshot(page, 'team-reassign');
    await item.getByRole('button', { name: 'Reassign', exact: true }).last().click();

    await expect(page.getByRole('status').filter({ hasText: `Reassigned to ${people.cm2.name}` })).toContainText(
      listName(patient),
    );
    await expect(page.locator('li.work-item').filter({ hasText: listName(patient) })).toHaveCount(0);
    const task = await cm1.taskOf(patient, 'transition_followup');
    expect(task.assignee_id).toBe(devon.id);
    expect(task.status).toBe('open');

    // It is now on Devon's worklist.
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Team' }).click();
    await page.getByRole('table', { name: 'Workload by person' }).getByRole('link', { name: people.cm2.name }).click();
    await expect(page).toHaveURL(`/team/${devon.id}`);
    await expect(page.getByRole('heading', { name: `Worklist of ${people.cm2.name}`, level: 1 })).toBeVisible();
    await worklistItem(page, listName(patient), 'Transition follow-up');
  });

  test('care managers have no team view: neither in the navigation nor by address', async ({ page }) => {
    await signInAs(page, people.cm2);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link', { name: 'My worklist' })).toBeVisible();
    await expect(nav.getByRole('link', { name: 'Team' })).toHaveCount(0);
    await page.goto('/team');
    await expect(page.getByRole('heading', { name: 'You do not have access to this page' })).toBeVisible();
  });
});
