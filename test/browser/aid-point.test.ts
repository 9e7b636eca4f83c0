import { Page } from 'playwright-core';
import { Db } from '../../libs/database/src';
import { OrgRepository } from '../../libs/org/src';
import { api, login } from '../support/stack';
import { contactRow } from '../support/fixtures';
import { ConsoleRig, eventually, noSidewaysScroll, openPage, signIn, startConsole } from './support';

// A real browser on a busy machine: each step waits up to 30 s for what it expects.
jest.setTimeout(240_000);

/**
 * Material aid delivered by a 村(居) point (issues 11 and 14), in Chromium: the operator records an outcome whose
 * aid is delivered by another station's 村(居) point (the point select offers the chosen station's points, and is
 * cleared when the station changes); the delivering station's operator sees the point in 物资申请, on a phone too.
 */
describe('console: choosing the delivering station and 村(居) point (Chromium)', () => {
  let rig: ConsoleRig;
  const points: Record<string, string> = {};

  beforeAll(async () => {
    rig = await startConsole({ OFFER_TIMEOUT_SECONDS: '45' }, ['北京街社工站', '东山街社工站']);
    const org = rig.stack.app.get(OrgRepository);
    const point = async (name: string, stationId: string) =>
      (points[name] = (await org.createUnit({ name, level: 'point', parentId: stationId })).id);
    await point('西湖社区社工点', rig.org.stations[0].id);
    await point('新河浦社区社工点', rig.org.stations[1].id);
    await point('龟岗社区社工点', rig.org.stations[1].id);
    const closed = await point('已关闭社区社工点', rig.org.stations[1].id);
    await rig.stack.app.get(Db).tx((tx) => org.updateUnit(closed, { closedAt: new Date() }, tx));
  });
  afterAll(async () => {
    await rig?.close();
  });

  /** No select's dropdown is open (or still closing): the next one opened is the only one. */
  const noDropdown = (page: Page) => page.locator('.ant-select-dropdown:visible').waitFor({ state: 'detached' });
  /** Opens an antd Select by its accessible label and picks the option with this text. */
  async function pick(page: Page, labelText: string, option: string): Promise<void> {
    await noDropdown(page);
    await page.getByRole('combobox', { name: labelText }).click();
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option')
      .filter({ hasText: option })
      .first()
      .click();
    await noDropdown(page);
  }
  /** The option texts the select with this label offers now. */
  async function offered(page: Page, labelText: string): Promise<string[]> {
    await noDropdown(page);
    await page.getByRole('combobox', { name: labelText }).click();
    // (the dropdown renders its options while it slides in: read until they are there)
    const options = page.locator('.ant-select-dropdown:visible .ant-select-item-option');
    const texts = await eventually(
      async () => {
        const t = await options.allTextContents();
        return t.length ? t : undefined;
      },
      30_000,
      `the options of ${labelText}`,
    );
    await page.keyboard.press('Escape');
    await noDropdown(page);
    return texts;
  }

  it('the operator chooses a station and its 村(居) point; the delivering station sees the point in 物资申请', async () => {
    const { stack, org } = rig;
    const operator = await org.user('operator', org.stations[0].id, '陈晓明');
    const deliverer = await org.user('operator', org.stations[1].id, '黄丽萍');
    const { page, errors, context } = await openPage(rig.browser);
    await signIn(page, stack.url, operator.username, { landsOn: 'workspace' });
    await page.getByTestId('go-available').click();
    await eventually(async () => (await page.getByTestId('presence').textContent())?.includes('在岗'), 30_000);

    const created = await api(stack.url, 'POST', '/contacts', {
      key: org.intakeKey,
      body: { hotlineNumber: org.stations[0].hotline, channel: 'phone', callerNumber: '13912348765' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await page.getByTestId('offer').waitFor();
    await page.getByTestId('offer-accept').click();
    await page.getByTestId('active-contact').waitFor();

    const form = page.getByTestId('outcome-form');
    await form.getByLabel('物资保障').check();
    await form.getByLabel('低收入家庭').check();
    await page.getByTestId('summary').fill('低保户来电，米油将尽，行动不便。安排东山街新河浦社区社工点送米油上门。');
    await page.getByTestId('add-aid-item').click();
    await page.getByTestId('aid-item-0-category').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: '食品' }).click();
    await noDropdown(page);
    await page.getByTestId('aid-item-0-description').fill('大米 10kg');
    await page.getByTestId('add-problem').click();
    await page.getByTestId('problem-0-category').click();
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option')
      .filter({ hasText: '基本生活困难' })
      .click();
    await page.getByTestId('problem-0-resolution').getByText('已解决').click();

    // Nothing chosen yet: the line's station delivers, its points are offered.
    expect(await offered(page, '配送村(居)')).toEqual(['西湖社区社工点']);
    await pick(page, '配送村(居)', '西湖社区社工点');
    // Another station: the point chosen for the first one is cleared, that station's open points offered.
    await pick(page, '送达站点', '东山街社工站');
    await eventually(
      async () => !(await page.getByTestId('delivering-point').textContent())?.includes('西湖社区'),
      30_000,
      'the point cleared with the station change',
    );
    expect((await offered(page, '配送村(居)')).sort()).toEqual(['新河浦社区社工点', '龟岗社区社工点'].sort());
    await pick(page, '配送村(居)', '新河浦社区社工点');

    // On a phone the form still fits the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('combobox', { name: '配送村(居)' }).scrollIntoViewIfNeeded();
    await noSidewaysScroll(page, 'the outcome form with the 村(居) point');
    await page.setViewportSize({ width: 1440, height: 900 });

    await page.getByTestId('end-call').click();
    await eventually(async () => (await contactRow(stack.app, id))?.status === 'wrap_up', 30_000, 'wrap-up');
    await page.getByTestId('submit-outcome').click();
    await page.getByTestId('idle').waitFor();
    const aid = await eventually(
      () =>
        stack.app
          .get(Db)
          .one<{ id: string; delivering_station_id: string; delivering_point_id: string | null }>(
            'SELECT id, delivering_station_id, delivering_point_id FROM aid_requests WHERE contact_id = $1',
            [id],
          ),
      30_000,
      'the aid request',
    );
    expect(aid).toMatchObject({
      delivering_station_id: org.stations[1].id,
      delivering_point_id: points['新河浦社区社工点'],
    });
    expect(errors).toEqual([]);
    await context.close();

    // The delivering station's operator: the request in 物资申请, with the point; on a phone too.
    const other = await openPage(rig.browser);
    await signIn(other.page, stack.url, deliverer.username, { landsOn: 'workspace' });
    await other.page.goto(`${stack.url}/console/aid-requests`);
    const row = other.page.getByTestId(`aid-row-${aid.id}`);
    await row.waitFor();
    expect(await row.getByTestId('aid-delivering-place').textContent()).toBe('东山街社工站 · 新河浦社区社工点');
    await row.getByTestId('aid-arrange').waitFor(); // theirs to act on
    await other.page.setViewportSize({ width: 390, height: 844 });
    await other.page.reload();
    await other.page.getByTestId(`aid-row-${aid.id}`).waitFor();
    await noSidewaysScroll(other.page, '物资申请 on a phone');
    const token = await login(stack.url, deliverer.username);
    const read = await api(stack.url, 'GET', `/aid-requests/${aid.id}`, { token });
    expect(read.body).toMatchObject({ deliveringPointName: '新河浦社区社工点', status: 'requested' });
    expect(other.errors).toEqual([]);
    await other.context.close();
  });
});
