import { Api, expect, fact, people, screen, signIn, test, uniqueName, watchForCrashes } from '../support/app';

test.describe('two people changing the same patient', () => {
  test('the second save is refused as stale, the latest version loads and the person\'s edits survive', async ({
    browser,
    page,
    request,
  }) => {
    const api = await Api.signIn(request, people.supervisor);
    const family = uniqueName('Clash');
    const patient = await api.createPatient({
      given_name: 'Beatriz',
      family_name: family,
      phone: '503-555-0101',
    });

    // Sam (supervisor) works in a second browser at the same time.
    const samContext = await browser.newContext();
    const sam = await samContext.newPage();
    const samCrashes = watchForCrashes(sam);
    try {
      await signIn(page, people.cm1);
      await signIn(sam, people.supervisor);
      for (const p of [page, sam]) {
        await p.goto(`/patients/${patient.id}`);
        await expect(p.getByRole('heading', { name: `${family}, Beatriz`, level: 1 })).toBeVisible();
        await p.getByRole('button', { name: 'Edit details' }).click();
        await expect(p.getByLabel('Phone')).toHaveValue('503-555-0101');
      }

      // Sam saves first.
      await sam.getByLabel('Phone').fill('503-555-0202');
      await sam.getByRole('button', { name: 'Save changes' }).click();
      await expect(sam.getByRole('status').filter({ hasText: 'Changes saved.' })).toBeVisible();

      // Carmen's save is based on the old version: 412, and nothing is lost.
      await page.getByLabel('Email').fill('beatriz@mail.test');
      const stale = page.waitForResponse((r) => r.request().method() === 'PATCH');
      await page.getByRole('button', { name: 'Save changes' }).click();
      expect((await stale).status()).toBe(412);
      const warning = page.getByRole('alert').filter({
        hasText: 'Someone else saved changes to this patient while you were editing',
      });
      await expect(warning).toBeVisible();
      await expect(warning).toContainText('nothing you typed is lost');
      await expect(page.getByLabel('Email')).toHaveValue('beatriz@mail.test');
      await screen(page, 'edit-conflict-detected');

      await warning.getByRole('button', { name: 'Load latest version' }).click();
      const loaded = page.getByRole('status').filter({ hasText: 'The latest version is loaded' });
      await expect(loaded).toBeVisible();
      await expect(loaded.getByRole('listitem')).toHaveText(['Phone: 503-555-0101 → 503-555-0202']);
      await expect(page.getByLabel('Phone')).toHaveValue('503-555-0202');
      await expect(page.getByLabel('Email')).toHaveValue('beatriz@mail.test');
      await screen(page, 'edit-conflict-latest-loaded');

      await page.getByRole('button', { name: 'Save changes' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Changes saved.' })).toBeVisible();
      const contact = page.getByRole('region', { name: 'Contact', exact: true });
      await expect(fact(contact, 'Phone')).toHaveText('503-555-0202');
      await expect(fact(contact, 'Email')).toHaveText('beatriz@mail.test');
      await expect(fact(page.getByRole('region', { name: 'Record', exact: true }), 'Version')).toHaveText('3');

      const stored = await api.getPatient(patient.id);
      expect(stored.phone).toBe('503-555-0202');
      expect(stored.email).toBe('beatriz@mail.test');
      expect(samCrashes).toEqual([]);
    } finally {
      await samContext.close();
    }
  });

  test('a status change based on an old version is refused and the latest version is shown', async ({
    page,
    request,
  }) => {
    const api = await Api.signIn(request, people.supervisor);
    const patient = await api.createPatient({
      given_name: 'Emil',
      family_name: uniqueName('Stale'),
      status: 'active',
      risk_level: 'low',
    });

    await signIn(page, people.cm3);
    await page.goto(`/patients/${patient.id}`);
    const record = page.getByRole('region', { name: 'Record', exact: true });
    await expect(fact(record, 'Version')).toHaveText('1');

    // Someone else raises the risk level through the API meanwhile.
    await api.updatePatient(patient, { risk_level: 'high' });

    const card = page.getByRole('region', { name: 'Case status', exact: true });
    await card.getByLabel('Move case to').selectOption({ label: 'On hold' });
    await card.getByRole('button', { name: 'Change status' }).click();
    const alert = card.getByRole('alert');
    await expect(alert).toContainText('This patient was changed by someone else');
    await expect(alert).toContainText('nothing was changed');
    await expect(fact(record, 'Version')).toHaveText('2');
    await expect(page.locator('.patient-summary')).toContainText('High risk');
    await expect(page.locator('.patient-summary')).toContainText('Active');
    await screen(page, 'status-conflict');

    // Trying again on the latest version works.
    await card.getByLabel('Move case to').selectOption({ label: 'On hold' });
    await card.getByRole('button', { name: 'Change status' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Case status changed to On hold.' })).toBeVisible();
    await expect(fact(record, 'Version')).toHaveText('3');
  });
});
