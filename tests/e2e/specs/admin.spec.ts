import { expectNoAxeViolations } from '../support/a11y';
import { Api, expect, mainNav, openPatients, people, screen, signIn, test, uniqueName } from '../support/app';

test.describe('administration', () => {
  test('an admin creates an API key, sees its secret exactly once, and revokes it', async ({
    page,
    request,
  }) => {
    await signIn(page, people.admin);
    await mainNav(page).getByRole('link', { name: 'API keys' }).click();
    await expect(page).toHaveURL(/\/admin\/api-keys$/);
    await expect(page.getByRole('heading', { name: 'API keys', level: 1 })).toBeVisible();

    await page.getByRole('button', { name: 'Create API key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create API key' });
    await expect(dialog).toBeVisible();

    // A key needs a name and at least one scope.
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await expect(dialog.getByText('Name is required.')).toBeVisible();
    await expect(dialog.getByLabel('Name')).toBeFocused();
    await expectNoAxeViolations(page, 'create-api-key-invalid');

    const name = `EHR sync ${uniqueName('')}`;
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByRole('checkbox', { name: /^Read patients/ }).check();
    await dialog.getByRole('button', { name: 'Create key' }).click();

    await expect(dialog.getByRole('alert')).toContainText("Copy this key now — you won't see it again");
    const secretBox = dialog.getByRole('textbox', { name: 'Your new API key' });
    await expect(secretBox).toBeFocused();
    const secret = await secretBox.inputValue();
    expect(secret.length).toBeGreaterThan(20);
    await expect(dialog).toContainText(`Key “${name}” with scopes patients:read`);
    await screen(page, 'api-key-shown-once');

    // The key works for what its scope allows, and for nothing else.
    const auth = { Authorization: `Bearer ${secret}` };
    expect((await request.get('/api/v1/patients?limit=1', { headers: auth })).status()).toBe(200);
    expect((await request.get('/api/v1/audit-events?limit=1', { headers: auth })).status()).toBe(403);

    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(dialog).toBeHidden();
    const row = page.getByRole('row', { name: new RegExp(name) });
    await expect(row).toContainText('Active');
    const shown = (await row.getByRole('cell').first().textContent())!.trim();
    expect(shown.endsWith('…')).toBe(true);
    expect(secret.startsWith(shown.slice(0, -1))).toBe(true);
    await expect(page.getByText(secret)).toHaveCount(0);

    // Opening the dialog again starts a new key; the old secret is gone for good.
    await page.getByRole('button', { name: 'Create API key' }).click();
    await expect(dialog.getByLabel('Name')).toHaveValue('');
    await expect(dialog.getByRole('textbox', { name: 'Your new API key' })).toHaveCount(0);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();

    await row.getByRole('button', { name: `Revoke ${name}` }).click();
    const confirm = page.getByRole('dialog', { name: `Revoke “${name}”?` });
    await expect(confirm).toBeVisible();
    await expectNoAxeViolations(page, 'revoke-api-key-confirm');
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await expect(page.getByRole('status').filter({ hasText: `The key “${name}” was revoked.` })).toBeVisible();
    await expect(page.getByRole('row', { name: new RegExp(name) })).toContainText('Revoked');
    await screen(page, 'api-key-revoked');
    expect((await request.get('/api/v1/patients?limit=1', { headers: auth })).status()).toBe(401);
  });

  test('an admin adds a user, changes their role, and the new person can sign in', async ({ page, browser }) => {
    await signIn(page, people.admin);
    await mainNav(page).getByRole('link', { name: 'Users' }).click();
    await expect(page).toHaveURL(/\/admin\/users$/);
    await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
    const table = page.getByRole('table', { name: 'Users' });
    await expect(table.getByRole('row', { name: /Carmen Ruiz/ })).toContainText('Care manager');

    await page.getByRole('button', { name: 'Add user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add user' });
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await expect(dialog.getByText('Name is required.')).toBeVisible();
    await expect(dialog.getByText('Initial password must be between 12 and 128 characters.')).toBeVisible();
    await expect(dialog.getByLabel('Name')).toBeFocused();
    await screen(page, 'add-user-invalid');

    const family = uniqueName('Nguyen');
    const newName = `Tam ${family}`;
    const email = `${family.toLowerCase()}@riverside.example`;
    const password = 'a-long-enough-passphrase';
    await dialog.getByLabel('Name').fill(newName);
    await dialog.getByLabel('Email').fill(email);
    await dialog.getByLabel('Role').selectOption({ label: 'Viewer' });
    await dialog.getByLabel('Initial password').fill(password);
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('status').filter({ hasText: `${newName} was added as viewer.` })).toBeVisible();
    const row = table.getByRole('row', { name: new RegExp(newName) });
    await expect(row).toContainText(email);
    await expect(row).toContainText('Viewer');
    await expect(row).toContainText('Never');

    // An email that is taken is refused, and the dialog stays open with what was typed.
    await page.getByRole('button', { name: 'Add user' }).click();
    await expect(dialog.getByLabel('Name')).toHaveValue('');
    await dialog.getByLabel('Name').fill('Someone Else');
    await dialog.getByLabel('Email').fill(email);
    await dialog.getByLabel('Initial password').fill(password);
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await expect(dialog.getByRole('alert')).toContainText('A user with this email already exists.');
    await expect(dialog.getByLabel('Name')).toHaveValue('Someone Else');
    await screen(page, 'add-user-duplicate-email');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();

    await row.getByRole('button', { name: `Change role for ${newName}` }).click();
    const roleDialog = page.getByRole('dialog', { name: `Change role for ${newName}` });
    await roleDialog.getByLabel('Role').selectOption({ label: 'Care manager' });
    await expectNoAxeViolations(page, 'change-role-dialog');
    await roleDialog.getByRole('button', { name: 'Save role' }).click();
    await expect(roleDialog).toBeHidden();
    await expect(page.getByRole('status').filter({ hasText: `${newName} is now care manager.` })).toBeVisible();
    await expect(table.getByRole('row', { name: new RegExp(newName) })).toContainText('Care manager');
    await screen(page, 'user-role-changed');

    const context = await browser.newContext();
    try {
      const theirs = await context.newPage();
      await signIn(theirs, { email, name: newName, role: 'Care manager' }, password);
      await expect(theirs.getByRole('banner')).toContainText('Care manager');
      await openPatients(theirs);
      await expect(theirs.getByRole('link', { name: 'New patient' })).toBeVisible();
    } finally {
      await context.close();
    }
  });

  test('an admin deactivates a user, who can no longer sign in, and reactivates them', async ({
    page,
    browser,
    request,
  }) => {
    const family = uniqueName('Leaving');
    const name = `Kim ${family}`;
    const email = `${family.toLowerCase()}@riverside.example`;
    const password = 'another-long-passphrase';
    const admin = await Api.signIn(request, people.admin);
    await admin.createUser({ email, name, role: 'care_manager', password });

    await signIn(page, people.admin);
    await page.goto('/admin/users');
    const row = page.getByRole('table', { name: 'Users' }).getByRole('row', { name: new RegExp(name) });
    await row.getByRole('button', { name: `Deactivate ${name}` }).click();
    const confirm = page.getByRole('dialog', { name: `Deactivate ${name}?` });
    await expect(confirm).toContainText('will be signed out everywhere at once');
    await expectNoAxeViolations(page, 'deactivate-user-confirm');
    await confirm.getByRole('button', { name: 'Deactivate' }).click();
    await expect(page.getByRole('status').filter({ hasText: `${name} was deactivated.` })).toBeVisible();
    await expect(row).toContainText('Inactive');
    await screen(page, 'user-deactivated');

    const context = await browser.newContext();
    try {
      const theirs = await context.newPage();
      await theirs.goto('/login');
      await theirs.getByLabel('Email').fill(email);
      await theirs.getByLabel('Password').fill(password);
      await theirs.getByRole('button', { name: 'Sign in' }).click();
      await expect(theirs.getByRole('alert')).toContainText('The email or password is not right.');
    } finally {
      await context.close();
    }

    await row.getByRole('button', { name: `Reactivate ${name}` }).click();
    await expect(page.getByRole('status').filter({ hasText: `${name} can sign in again.` })).toBeVisible();
    await expect(row.getByRole('button', { name: `Deactivate ${name}` })).toBeVisible();
    await expect(row).not.toContainText('Inactive');
  });
});
