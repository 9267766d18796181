/**
 * The one message table: every label a human reads in the terminal summary,
 * the HTML report and the workbook, in English and Chinese. Clause ids, CSV
 * column names and file names are never translated.
 *
 * Placeholders are `{name}`; both languages of a key use the same ones (a
 * test checks it). Keys with a dynamic part (`col.<column>`, `rule.<id>`,
 * `check.<id>.title`, ...) are looked up with `messageOr`, which falls back
 * to the raw id for names another rule may add later.
 */

export type Lang = 'en' | 'zh';
export const LANGS: readonly Lang[] = ['en', 'zh'];

interface Entry {
  readonly en: string;
  readonly zh: string;
}

export const MESSAGES = {
  // Terminal summary after `allocate` (the English strings are the original ones).
  'summary.title': { en: 'povalloc: {title} ({year})', zh: 'povalloc：{title}（{year}年）' },
  'summary.header.code': { en: 'code', zh: '代码' },
  'summary.header.province': { en: 'province', zh: '省份' },
  'summary.header.counties': { en: 'counties', zh: '县数' },
  'summary.header.villages': { en: 'villages', zh: '村数' },
  'summary.header.eligible': { en: 'eligible', zh: '符合条件' },
  'summary.header.poor': { en: 'poor people', zh: '贫困人口' },
  'summary.header.central': { en: 'central (yuan)', zh: '中央（元）' },
  'summary.header.provincial': { en: 'provincial (yuan)', zh: '省级（元）' },
  'summary.header.total': { en: 'total (yuan)', zh: '合计（元）' },
  'summary.header.total_wan': { en: 'total (万元)', zh: '合计（万元）' },
  'summary.total_row': { en: 'total', zh: '合计' },
  'summary.header.relocation': { en: 'relocation (yuan)', zh: '易地搬迁（元）' },
  'summary.header.refunds': { en: 'refunds (yuan)', zh: '财政返还（元）' },
  'summary.priority_note': {
    en: '* priority province (clause IV.1); central and provincial: the special fund; total: special fund + relocation + refunds',
    zh: '* 重点省份（条款 IV.1）；中央、省级：专项扶贫资金；合计：专项资金 + 易地搬迁 + 财政返还',
  },
  'summary.level.central': { en: 'central', zh: '中央' },
  'summary.level.provincial': { en: 'provincial', zh: '省级' },
  'summary.level.prefecture': { en: 'prefecture', zh: '地市' },
  'summary.skip.hold_harmless': { en: 'did not run: no --previous allocations.csv was given', zh: '未运行：未提供上年分配表（--previous）' },
  'summary.skip.growth_check': {
    en: "did not run: last year's central special fund is unknown (give --previous or set growth_check.previous_central_total)",
    zh: '未运行：上年中央专项资金未知（请提供 --previous 或在政策中设置 growth_check.previous_central_total）',
  },
  'summary.skip.matching_waiver': { en: 'did not run: no --projects file was given', zh: '未运行：未提供项目表（--projects）' },
  'summary.skip.refund': { en: 'did not run for some or all levels: remitted_* columns are absent (see checks.csv)', zh: '部分或全部级次未运行：县表缺少 remitted_* 列（见 checks.csv）' },
  'summary.skip.relocation': { en: 'did not run: the county table has no relocation_population column', zh: '未运行：县表缺少 relocation_population 列' },
  'summary.skip.other': { en: 'did not run (see checks.csv)', zh: '未运行（见 checks.csv）' },
  'summary.rule.assessment': {
    en: "{adjusted} counties' scores adjusted by their assessment; {failed} failed: leading cadres to be interviewed (checks.csv)",
    zh: '{adjusted} 个县按考核结果调整得分；{failed} 个未完成任务：约谈领导干部（见 checks.csv）',
  },
  'summary.rule.hold_harmless': {
    en: '{guaranteed} counties guaranteed {share} of last year; {bound} held at the guarantee, guarantees reduced in {reduced} province(s)',
    zh: '{guaranteed} 个县保证不低于上年的 {share}；{bound} 个县按保底额分配，{reduced} 个省按比例核减保底额',
  },
  'summary.rule.growth': {
    en: 'central special fund {current} against {previous} last year: {change}',
    zh: '中央专项资金 {current}，上年 {previous}：{change}',
  },
  'summary.rule.growth_not_increased': {
    en: 'central special fund {current} against {previous} last year: {change}, NOT an increase',
    zh: '中央专项资金 {current}，上年 {previous}：{change}，未增长',
  },
  'summary.rule.provincial_effort': {
    en: '{count} province(s) fund less than {share} of their central grant themselves',
    zh: '{count} 个省的自有资金低于所获中央资金的 {share}',
  },
  'summary.rule.asset_income_off': { en: 'off (asset_income.share_invested is 0)', zh: '未启用（asset_income.share_invested 为 0）' },
  'summary.rule.asset_income': {
    en: '{amount} of the special fund invested in asset-income projects ({share})',
    zh: '专项资金中 {amount} 投入资产收益项目（{share}）',
  },
  'summary.rule.relocation': {
    en: '{amount} to {counties} counties; pool short of the need in {short} province(s), {surplus} surplus unallocated',
    zh: '{amount} 分配到 {counties} 个县；{short} 个省资金不足需求，结余 {surplus} 未分配',
  },
  'summary.rule.refund': {
    en: '{amount} of remitted revenue returned ({levels})',
    zh: '返还上解收入 {amount}（{levels}）',
  },
  'summary.rule.matching_waiver': {
    en: '{projects} projects, {county} with the county share waived, {both} with county and prefecture shares waived: {absorbed} absorbed by higher levels (projects.csv)',
    zh: '{projects} 个项目，{county} 个取消县级配套，{both} 个取消县级和地市级配套：上级承担 {absorbed}（见 projects.csv）',
  },
  'summary.all_allocated': { en: 'Every budget line allocated to the fen: 0.00 yuan unallocated.', zh: '每一笔预算都已分配到分：未分配 0.00 元。' },
  'summary.unallocated': { en: '{amount} yuan unallocated: see checks.csv.', zh: '未分配 {amount} 元：见 checks.csv。' },
  'summary.warnings': { en: '{count} warning(s) in checks.csv.', zh: 'checks.csv 中有 {count} 条警告。' },
  'summary.run_folder': { en: 'Run folder: {dir}', zh: '运行目录：{dir}' },

  // Report command output.
  'report.written': { en: 'wrote {file} ({size})', zh: '已写入 {file}（{size}）' },

  // HTML report: page and sections.
  'report.title.run': { en: 'Allocation report', zh: '扶贫资金分配报告' },
  'report.title.compare': { en: 'Scenario comparison', zh: '方案比较报告' },
  'report.title.sweep': { en: 'Parameter sweep', zh: '参数扫描报告' },
  'report.generated_by': { en: 'Generated by povalloc from {folder}', zh: '由 povalloc 根据 {folder} 生成' },
  'report.section.identity': { en: 'Run identity', zh: '运行信息' },
  'report.section.totals': { en: 'Totals per fund and paying level', zh: '各项资金及出资级次合计' },
  'report.section.provinces': { en: 'Special fund per province', zh: '各省专项扶贫资金' },
  'report.section.scatter': { en: 'Special fund per poor person against incidence', zh: '人均专项扶贫资金与贫困发生率' },
  'report.section.histogram': { en: 'Distribution of county amounts', zh: '县级资金分布' },
  'report.section.checks': { en: 'Compliance checks', zh: '合规检查' },
  'report.section.counties': { en: 'Counties', zh: '县级分配明细' },
  'report.section.province_table': { en: 'Provinces', zh: '分省明细' },
  'report.section.projects': { en: 'Projects', zh: '项目' },
  'report.section.policy_diff': { en: 'Policy differences', zh: '政策参数差异' },
  'report.section.bands': { en: 'Winners and losers', zh: '增减情况' },
  'report.section.metrics': { en: 'Outcome metrics', zh: '结果指标' },
  'report.section.metric_curves': { en: 'Metric curves', zh: '指标曲线' },
  'report.section.sweep_table': { en: 'Grid points', zh: '参数网格点' },
  'report.section.compare_counties': { en: 'Counties', zh: '县级比较' },
  'report.section.compare_provinces': { en: 'Provinces', zh: '分省比较' },
  'report.section.vary': { en: 'Varied policy values', zh: '变动的政策参数' },

  // Identity.
  'identity.policy': { en: 'Policy', zh: '政策' },
  'identity.policy_name': { en: 'Policy name', zh: '政策名称' },
  'identity.year': { en: 'Year', zh: '年度' },
  'identity.version': { en: 'povalloc version', zh: 'povalloc 版本' },
  'identity.inputs': { en: 'Inputs', zh: '输入文件' },
  'identity.input_row': { en: '{file}: {rows} rows', zh: '{file}：{rows} 行' },
  'identity.audit_head': { en: 'Audit log head', zh: '审计日志末条哈希' },
  'identity.audit_entries': { en: '{count} entries', zh: '共 {count} 条' },
  'identity.no_audit': { en: 'no audit log in this run folder', zh: '此运行目录中没有审计日志' },
  'identity.verifies': { en: 'Verifies', zh: '校验结果' },
  'identity.no_manifest': { en: 'no manifest: this run cannot be verified', zh: '没有 manifest：无法校验此运行' },
  'identity.verified': {
    en: 'yes: all {count} files listed in manifest.json match their SHA-256, and the audit chain holds',
    zh: '通过：manifest.json 中列出的 {count} 个文件的 SHA-256 均一致，审计链完整',
  },
  'identity.not_verified': { en: 'NO: {count} file(s) differ from manifest.json', zh: '未通过：{count} 个文件与 manifest.json 不一致' },
  'identity.file_differs': { en: '{file}: {reason}', zh: '{file}：{reason}' },
  'identity.reason_missing': { en: 'missing', zh: '文件缺失' },
  'identity.reason_hash': { en: 'SHA-256 differs', zh: 'SHA-256 不一致' },
  'identity.reason_outside': { en: 'path outside the run folder', zh: '路径超出运行目录' },
  'identity.reason_unreadable': { en: 'manifest.json cannot be read', zh: '无法读取 manifest.json' },
  'identity.reason_no_outputs': { en: 'manifest.json lists no output hashes', zh: 'manifest.json 未列出输出文件哈希' },
  'identity.counts': { en: 'Counties', zh: '县数' },
  'identity.counts_value': { en: '{counties} counties ({eligible} eligible) in {provinces} provinces', zh: '{provinces} 个省份共 {counties} 个县（符合条件 {eligible} 个）' },
  'identity.priority_provinces': { en: 'Priority provinces', zh: '重点省份' },
  'identity.unallocated': { en: 'Unallocated', zh: '未分配资金' },
  'identity.warnings': { en: 'Warnings', zh: '警告' },

  // Totals table.
  'totals.fund': { en: 'Fund', zh: '资金' },
  'totals.level': { en: 'Paying level', zh: '出资级次' },
  'totals.budget': { en: 'Budget (yuan)', zh: '预算（元）' },
  'totals.allocated': { en: 'To counties (yuan)', zh: '分配到县（元）' },
  'totals.unallocated': { en: 'Unallocated (yuan)', zh: '未分配（元）' },
  'totals.wan': { en: 'To counties (万元)', zh: '分配到县（万元）' },
  'totals.all': { en: 'All funds', zh: '全部资金' },
  'totals.no_budget': { en: 'entitlement: budget impact, not a pot', zh: '应享额度：预算影响，不是资金池' },

  // Charts.
  'chart.central': { en: 'central', zh: '中央' },
  'chart.provincial': { en: 'provincial', zh: '省级' },
  'chart.priority_mark': { en: '★ priority province (IV.1)', zh: '★ 重点省份（IV.1）' },
  'chart.yuan_100m': { en: '100 million yuan (亿元)', zh: '亿元' },
  'chart.incidence': { en: 'incidence', zh: '贫困发生率' },
  'chart.per_poor': { en: 'special fund per poor person (yuan)', zh: '人均专项扶贫资金（元/人）' },
  'chart.key_outside_area': { en: 'key county outside the contiguous areas', zh: '连片特困地区以外的重点县' },
  'chart.other_county': { en: 'other eligible county', zh: '其他符合条件的县' },
  'chart.points_note': { en: '{shown} counties shown; {hidden} without poor population or not eligible are left out.', zh: '共显示 {shown} 个县；没有贫困人口或不符合条件的 {hidden} 个县未显示。' },
  'chart.points_sampled': {
    en: 'A large table: {drawn} of its {eligible} eligible units with poor population are drawn, one in every {step} in code order (the axes span all of them); {hidden} without poor population or not eligible are left out.',
    zh: '表格较大：在 {eligible} 个有贫困人口且符合条件的单位中，按代码顺序每 {step} 个绘出 1 个，共 {drawn} 个（坐标轴覆盖全部单位）；没有贫困人口或不符合条件的 {hidden} 个单位未显示。',
  },
  'chart.counties_axis': { en: 'counties', zh: '县数' },
  'chart.amount_wan': { en: 'county total (万元)', zh: '县级资金合计（万元）' },
  'chart.bin_tooltip': { en: '{from} to {to} 万元: {count} counties', zh: '{from} 至 {to} 万元：{count} 个县' },
  'chart.bar_tooltip': { en: '{name}: central {central}, provincial {provincial} yuan', zh: '{name}：中央 {central} 元，省级 {provincial} 元' },
  'chart.point_tooltip': { en: '{name} ({code}): incidence {incidence}, {perPoor} yuan per poor person', zh: '{name}（{code}）：贫困发生率 {incidence}，人均 {perPoor} 元' },
  'chart.band_tooltip': { en: '{group}, {band}: {counties} counties, {poor} poor people', zh: '{group}，{band}：{counties} 个县，贫困人口 {poor}' },
  'chart.share_counties': { en: 'share of counties', zh: '县数占比' },
  'chart.no_data': { en: 'no data', zh: '无数据' },

  // County table.
  'table.search': { en: 'Search code, name, province, area…', zh: '搜索代码、县名、省份、片区…' },
  'table.shown': { en: 'rows shown', zh: '行显示' },
  'table.sort_hint': { en: 'Click a column header to sort.', zh: '点击列标题排序。' },
  'table.rows_capped': {
    en: 'A large table: the first {shown} of its {total} rows (in code order) are shown here, and searched and sorted; every row is in allocations.csv (povalloc explain RUN --county CODE explains any of them).',
    zh: '表格较大：此处显示前 {shown} 行（共 {total} 行，按代码排序），搜索和排序只针对这些行；全部行见 allocations.csv（povalloc explain RUN --county 代码 可解释其中任一行）。',
  },
  'table.per_poor': { en: 'Special fund per poor person (yuan)', zh: '人均专项资金（元/人）' },
  'table.none': { en: 'none', zh: '无' },

  // Checks.
  'checks.none': { en: 'No findings.', zh: '没有检查结果。' },
  'checks.original': { en: 'Message as written', zh: '原文（英文）' },

  // Compare and sweep.
  'compare.base': { en: 'Base', zh: '基准方案' },
  'compare.scenarios': { en: 'Scenarios', zh: '比较方案' },
  'compare.scenario': { en: 'Scenario', zh: '方案' },
  'compare.path': { en: 'Policy path', zh: '政策参数路径' },
  'compare.base_value': { en: 'Base value', zh: '基准值' },
  'compare.scenario_value': { en: 'Scenario value', zh: '方案值' },
  'compare.group': { en: 'Group', zh: '分组' },
  'compare.metric': { en: 'Metric', zh: '指标' },
  'compare.counties': { en: 'counties', zh: '县数' },
  'compare.poor_population': { en: 'poor people', zh: '贫困人口' },
  'compare.no_area': { en: 'outside the contiguous areas', zh: '连片特困地区以外' },
  'sweep.points': { en: 'Grid points', zh: '网格点数' },
  'sweep.values': { en: 'Values', zh: '取值' },
  'sweep.point': { en: 'Point', zh: '网格点' },

  // Band and dimension names (bands.csv).
  'band.lose_over_5': { en: 'lose more than 5%', zh: '减少超过 5%' },
  'band.lose_up_to_5': { en: 'lose up to 5%', zh: '减少不超过 5%' },
  'band.no_change': { en: 'no change (within 0.1%)', zh: '基本不变（0.1% 以内）' },
  'band.gain_up_to_5': { en: 'gain up to 5%', zh: '增加不超过 5%' },
  'band.gain_over_5': { en: 'gain more than 5%', zh: '增加超过 5%' },
  'dimension.overall': { en: 'Overall', zh: '全部县' },
  'dimension.province': { en: 'By province', zh: '按省份' },
  'dimension.region': { en: 'By region', zh: '按区域' },
  'dimension.contiguous_area': { en: 'By contiguous area', zh: '按连片特困地区' },
  'dimension.priority': { en: 'By priority status', zh: '按是否重点省份' },

  // Metrics (metrics.csv, sweep.csv).
  'metric.share_priority_provinces': { en: 'Share of the special fund to priority provinces', zh: '重点省份专项资金占比' },
  'metric.share_contiguous_area': { en: 'Share to contiguous-area counties', zh: '连片特困地区县资金占比' },
  'metric.share_west': { en: 'Share to the western region', zh: '西部地区资金占比' },
  'metric.per_poor_min': { en: 'Per poor person: minimum (yuan)', zh: '人均资金最小值（元）' },
  'metric.per_poor_median': { en: 'Per poor person: median (yuan)', zh: '人均资金中位数（元）' },
  'metric.per_poor_max': { en: 'Per poor person: maximum (yuan)', zh: '人均资金最大值（元）' },
  'metric.per_poor_cv': { en: 'Per poor person: coefficient of variation', zh: '人均资金变异系数' },
  'metric.per_poor_gini': { en: 'Per poor person: Gini coefficient', zh: '人均资金基尼系数' },
  'metric.counties_at_floor': { en: 'Counties held at the floor', zh: '保底县数' },
  'metric.counties_at_cap': { en: 'Counties held at the cap', zh: '封顶县数' },
  'metric.unallocated': { en: 'Unallocated (yuan)', zh: '未分配资金（元）' },

  // Funds and paying levels.
  'fund.special_poverty': { en: 'Central special poverty fund', zh: '财政专项扶贫资金' },
  'fund.relocation': { en: 'Ex situ relocation', zh: '易地扶贫搬迁' },
  'fund.refund': { en: 'Refund of county revenue', zh: '县级财政收入返还' },
  'fund.asset_income': { en: 'Asset income', zh: '资产收益扶贫' },
  'fund.matching': { en: 'Project matching funds', zh: '项目配套资金' },
  'level.central': { en: 'central', zh: '中央' },
  'level.provincial': { en: 'provincial', zh: '省级' },
  'level.prefecture': { en: 'prefecture', zh: '地市' },
  'level.county': { en: 'county', zh: '县级' },
  'level.all': { en: 'all levels', zh: '各级' },

  // Values in yes/no, region, binding, severity and scope columns.
  'value.true': { en: 'yes', zh: '是' },
  'value.false': { en: 'no', zh: '否' },
  'region.east': { en: 'east', zh: '东部' },
  'region.central': { en: 'central', zh: '中部' },
  'region.west': { en: 'west', zh: '西部' },
  'binding.share': { en: 'share', zh: '按份额' },
  'binding.floor': { en: 'floor', zh: '保底' },
  'binding.cap': { en: 'cap', zh: '封顶' },
  'binding.floor_reduced': { en: 'floor reduced', zh: '保底按比例下调' },
  'severity.info': { en: 'info', zh: '提示' },
  'severity.warning': { en: 'warning', zh: '警告' },
  'severity.error': { en: 'error', zh: '错误' },
  'scope.national': { en: 'national', zh: '全国' },
  'scope.province': { en: 'province', zh: '省' },
  'scope.county': { en: 'county', zh: '县' },
  'scope.project': { en: 'project', zh: '项目' },

  // Rule names (rule ids stay as they are in the CSVs).
  'rule.eligibility': { en: 'Eligible counties', zh: '资格认定' },
  'rule.priority_province': { en: 'Priority provinces', zh: '重点省份认定' },
  'rule.special_poverty_provinces': { en: 'Special fund, stage 1: central line to provinces', zh: '专项资金第一阶段：中央资金分配到省' },
  'rule.special_poverty_counties': { en: 'Special fund, stage 2: province pools to counties', zh: '专项资金第二阶段：省级资金池分配到县' },
  'rule.refund': { en: 'Full refund of county-level finance', zh: '县级财政收入全额返还' },
  'rule.matching_waiver': { en: 'Matching-fund waiver', zh: '取消配套资金' },
  'rule.relocation': { en: 'Ex situ relocation', zh: '易地扶贫搬迁' },
  'rule.assessment': { en: 'Assessment multiplier', zh: '考核结果系数' },
  'rule.hold_harmless': { en: 'Hold-harmless guarantee', zh: '保持上年水平' },
  'rule.growth_check': { en: 'Growth of the central special fund', zh: '中央专项资金增长检查' },
  'rule.provincial_effort': { en: 'Provincial matching of the central grant', zh: '省级配套投入检查' },
  'rule.asset_income': { en: 'Asset income', zh: '资产收益扶贫' },
  'rule.budget': { en: 'Budget', zh: '预算' },

  // Check names and messages (checks.csv), built from the row's value and threshold.
  'check.priority_province.title': { en: 'Priority province', zh: '重点省份' },
  'check.priority_province.message': { en: 'priority province: {value} (thresholds: {threshold})', zh: '重点省份：{value}（标准：{threshold}）' },
  'check.cap_not_applied.title': { en: 'Cap not applied', zh: '未执行封顶' },
  'check.cap_not_applied.message': { en: 'the cap cannot be met with {value} eligible counties ({threshold}): not applied', zh: '符合条件的县只有 {value} 个，无法满足封顶比例（{threshold}）：未执行封顶' },
  'check.floor_reduced.title': { en: 'Floors reduced', zh: '保底额下调' },
  'check.floor_reduced.message': { en: 'the pool of {value} yuan cannot pay every floor ({threshold} yuan in all): floors reduced ratably', zh: '资金池 {value} 元不足以支付各县保底额（合计 {threshold} 元）：保底额按比例下调' },
  'check.no_eligible_county.title': { en: 'No eligible county', zh: '没有符合条件的县' },
  'check.no_eligible_county.message': { en: 'the provincial line of {value} yuan has no eligible county to go to: left unallocated', zh: '省级资金 {value} 元没有符合条件的县可分配：未分配' },
  'check.unallocated.title': { en: 'Unallocated money', zh: '未分配资金' },
  'check.unallocated.message': { en: '{value} yuan left unallocated', zh: '{value} 元未分配' },

  // Column labels (CSV column names stay unchanged in the CSVs).
  'check.leading_cadres_interview.title': { en: 'Leading cadres to be interviewed', zh: '约谈领导干部' },
  'check.leading_cadres_interview.message': { en: 'assessment {value}: leading cadres to be interviewed (expected: {threshold})', zh: '考核结果为{value}：约谈领导干部（要求：{threshold}）' },
  'check.growth.title': { en: 'Growth of the central special fund', zh: '中央专项资金增长' },
  'check.growth.message': { en: 'year-on-year change {value} (expected {threshold})', zh: '同比变化 {value}（要求 {threshold}）' },
  'check.provincial_effort.title': { en: 'Provincial matching', zh: '省级配套投入' },
  'check.provincial_effort.message': { en: "own line is {value} of the central grant, below {threshold}", zh: '省级自有资金为所获中央资金的 {value}，低于 {threshold}' },
  'check.relocation_shortfall.title': { en: 'Relocation shortfall', zh: '易地搬迁资金缺口' },
  'check.relocation_shortfall.message': { en: 'the relocation pool of {value} yuan is short of the need of {threshold} yuan: paid ratably', zh: '易地搬迁资金池 {value} 元不足需求 {threshold} 元：按比例支付' },
  'check.hold_harmless_bound.title': { en: 'Held at the guarantee', zh: '按保底额分配' },
  'check.hold_harmless_bound.message': { en: 'held at its guarantee of {value} yuan; the other counties are reduced proportionally', zh: '按保底额 {value} 元分配；本省其他县按比例减少' },
  'check.hold_harmless_reduced.title': { en: 'Guarantees reduced', zh: '保底额核减' },
  'check.hold_harmless_reduced.message': { en: 'the pool of {value} yuan cannot pay every guarantee ({threshold} yuan): reduced ratably', zh: '资金池 {value} 元不足以支付全部保底额（{threshold} 元）：按比例核减' },
  'check.rule_skipped.title': { en: 'Rule not run', zh: '规则未运行' },
  'check.rule_skipped.message': { en: 'the rule did not run (its input is absent)', zh: '该规则未运行（缺少所需输入）' },
  'col.relocation_central': { en: 'Relocation: central (yuan)', zh: '易地扶贫搬迁：中央（元）' },
  'col.relocation_provincial': { en: 'Relocation: provincial (yuan)', zh: '易地扶贫搬迁：省级（元）' },
  'col.project_cost': { en: 'Project cost (yuan)', zh: '项目总投资（元）' },
  'col.project_central': { en: 'Projects: central (yuan)', zh: '项目：中央承担（元）' },
  'col.project_provincial': { en: 'Projects: provincial (yuan)', zh: '项目：省级承担（元）' },
  'col.project_prefecture': { en: 'Projects: prefecture (yuan)', zh: '项目：地市承担（元）' },
  'col.project_county': { en: 'Projects: county (yuan)', zh: '项目：县级承担（元）' },
  'col.project_waived': { en: 'Projects: waived (yuan)', zh: '项目：减免配套（元）' },
  'col.eligible_county': { en: 'Eligible county', zh: '符合条件的县' },
  'col.shares_from': { en: 'Shares from', zh: '分担比例来源' },
  'col.share_central': { en: 'Share: central', zh: '分担比例：中央' },
  'col.share_provincial': { en: 'Share: provincial', zh: '分担比例：省级' },
  'col.share_prefecture': { en: 'Share: prefecture', zh: '分担比例：地市' },
  'col.share_county': { en: 'Share: county', zh: '分担比例：县级' },
  'col.standard_central': { en: 'Standard: central (yuan)', zh: '标准分担：中央（元）' },
  'col.standard_provincial': { en: 'Standard: provincial (yuan)', zh: '标准分担：省级（元）' },
  'col.standard_prefecture': { en: 'Standard: prefecture (yuan)', zh: '标准分担：地市（元）' },
  'col.standard_county': { en: 'Standard: county (yuan)', zh: '标准分担：县级（元）' },
  'col.absorbed_central': { en: 'Absorbed: central (yuan)', zh: '上级承担：中央（元）' },
  'col.absorbed_provincial': { en: 'Absorbed: provincial (yuan)', zh: '上级承担：省级（元）' },
  'col.final_central': { en: 'Final: central (yuan)', zh: '最终分担：中央（元）' },
  'col.final_provincial': { en: 'Final: provincial (yuan)', zh: '最终分担：省级（元）' },
  'col.final_prefecture': { en: 'Final: prefecture (yuan)', zh: '最终分担：地市（元）' },
  'col.final_county': { en: 'Final: county (yuan)', zh: '最终分担：县级（元）' },
  'col.rule_applied': { en: 'Rule applied', zh: '适用规则' },
  'col.reason': { en: 'Reason', zh: '原因' },
  'col.county_code': { en: 'County code', zh: '县代码' },
  'col.county_name': { en: 'County', zh: '县名' },
  'col.province_code': { en: 'Province code', zh: '省代码' },
  'col.province_name': { en: 'Province', zh: '省份' },
  'col.province_name_en': { en: 'Province (English)', zh: '省份（英文）' },
  'col.region': { en: 'Region', zh: '区域' },
  'col.prefecture': { en: 'Prefecture', zh: '地市' },
  'col.eligible': { en: 'Eligible', zh: '符合条件' },
  'col.poverty_county': { en: 'Poverty county', zh: '贫困县' },
  'col.key_county': { en: 'Key county', zh: '重点县' },
  'col.contiguous_area': { en: 'Contiguous area', zh: '连片特困地区' },
  'col.priority_province': { en: 'Priority province', zh: '重点省份' },
  'col.poor_population': { en: 'Poor population', zh: '贫困人口' },
  'col.rural_population': { en: 'Rural population', zh: '农村人口' },
  'col.incidence': { en: 'Incidence', zh: '贫困发生率' },
  'col.focus_multiplier': { en: 'Focus multiplier', zh: '重点区域系数' },
  'col.score': { en: 'Score', zh: '权重得分' },
  'col.binding': { en: 'How set', zh: '确定方式' },
  'col.special_poverty_central': { en: 'Special fund: central (yuan)', zh: '专项扶贫资金：中央（元）' },
  'col.special_poverty_provincial': { en: 'Special fund: provincial (yuan)', zh: '专项扶贫资金：省级（元）' },
  'col.relocation': { en: 'Relocation (yuan)', zh: '易地扶贫搬迁（元）' },
  'col.refund_central': { en: 'Refund: central (yuan)', zh: '财政收入返还：中央（元）' },
  'col.refund_provincial': { en: 'Refund: provincial (yuan)', zh: '财政收入返还：省级（元）' },
  'col.refund_prefecture': { en: 'Refund: prefecture (yuan)', zh: '财政收入返还：地市（元）' },
  'col.refund_total': { en: 'Refund total (yuan)', zh: '财政收入返还合计（元）' },
  'col.asset_income_invested': { en: 'Invested in asset-income projects (yuan)', zh: '资产收益项目投入（元）' },
  'col.asset_income_per_poor_person': { en: 'Asset income per poor person (yuan)', zh: '人均资产收益（元）' },
  'col.assessment': { en: 'Assessment', zh: '考核结果' },
  'col.relocation_population': { en: 'People to relocate', zh: '易地搬迁人口' },
  'col.total': { en: 'Total (yuan)', zh: '合计（元）' },
  'col.total_wan': { en: 'Total (万元)', zh: '合计（万元）' },
  'col.counties': { en: 'Counties', zh: '县数' },
  'col.eligible_counties': { en: 'Eligible counties', zh: '符合条件县数' },
  'col.stage1_score': { en: 'Stage-1 score', zh: '第一阶段得分' },
  'col.stage1_share': { en: 'Stage-1 share', zh: '第一阶段份额' },
  'col.check': { en: 'Check', zh: '检查项' },
  'col.severity': { en: 'Severity', zh: '级别' },
  'col.rule': { en: 'Rule', zh: '规则' },
  'col.clause': { en: 'Clause', zh: '条款' },
  'col.scope': { en: 'Scope', zh: '范围' },
  'col.code': { en: 'Code', zh: '代码' },
  'col.name': { en: 'Name', zh: '名称' },
  'col.message': { en: 'Message', zh: '说明' },
  'col.value': { en: 'Value', zh: '数值' },
  'col.threshold': { en: 'Threshold', zh: '标准' },
  'col.project_id': { en: 'Project', zh: '项目编号' },
  'col.public_welfare': { en: 'Public welfare', zh: '公益性项目' },
  'col.state_arranged': { en: 'State-arranged', zh: '国家安排' },
  'col.total_cost': { en: 'Total cost (yuan)', zh: '总投资（元）' },
  'col.waived_county': { en: 'Waived county share (yuan)', zh: '减免县级配套（元）' },
  'col.waived_prefecture': { en: 'Waived prefecture share (yuan)', zh: '减免地市配套（元）' },
  'col.scenario': { en: 'Scenario', zh: '方案' },
  'col.metric': { en: 'Metric', zh: '指标' },
  'col.point': { en: 'Point', zh: '网格点' },
  'col.dimension': { en: 'Dimension', zh: '维度' },
  'col.group': { en: 'Group', zh: '分组' },
  'col.band': { en: 'Band', zh: '增减区间' },
  'col.path': { en: 'Policy path', zh: '政策参数路径' },
  'col.base_value': { en: 'Base value', zh: '基准值' },
  'col.scenario_value': { en: 'Scenario value', zh: '方案值' },

  // Workbook.
  'sheet.counties': { en: 'counties', zh: '县级分配' },
  'sheet.provinces': { en: 'provinces', zh: '分省汇总' },
  'sheet.projects': { en: 'projects', zh: '项目' },
  'sheet.checks': { en: 'checks', zh: '合规检查' },
  'sheet.summary': { en: 'summary', zh: '汇总' },
  'sheet.bands': { en: 'bands', zh: '增减区间' },
  'sheet.metrics': { en: 'metrics', zh: '结果指标' },
  'sheet.policy_diff': { en: 'policy_diff', zh: '政策差异' },
  'sheet.sweep': { en: 'sweep', zh: '参数扫描' },
  'summary.item': { en: 'Item', zh: '项目' },
  'summary.value': { en: 'Value', zh: '内容' },
} as const satisfies Record<string, Entry>;

export type MessageKey = keyof typeof MESSAGES;

/** The message for a key in a language, with `{name}` placeholders filled in. */
export function message(lang: Lang, key: MessageKey, params: Readonly<Record<string, string | number>> = {}): string {
  return fill(MESSAGES[key][lang], params);
}

/** True when the table has the key (for the dynamic families `col.`, `rule.`, ...). */
export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(MESSAGES, key);
}

/** The message for a dynamic key, or the fallback (usually the raw id) when the table lacks it. */
export function messageOr(lang: Lang, key: string, fallback: string, params: Readonly<Record<string, string | number>> = {}): string {
  return hasMessage(key) ? message(lang, key, params) : fallback;
}

/** `zh` or `en` from a --lang value; undefined for anything else. */
export function parseLang(text: string): Lang | undefined {
  const lowered = text.trim().toLowerCase();
  if (lowered === 'zh' || lowered === 'zh-cn' || lowered === 'zh_cn' || lowered === 'cn') return 'zh';
  if (lowered === 'en') return 'en';
  return undefined;
}

/** The placeholders a template uses, sorted: `{a} {b}` -> ['a', 'b']. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!))].sort();
}

function fill(template: string, params: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}
