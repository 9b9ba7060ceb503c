# Seed a Redmine instance for `make bench-peer` (bench/peer.py runs it with `rails runner`):
# PEER_PROJECTS public projects holding PEER_ISSUES issues between them, PEER_JOURNALS journals per
# issue (a note and one changed attribute each), 20 developers and the signed-in benchmark user
# `bench` (Manager in every project, password PEER_PASSWORD), the REST API enabled. Issues, journals
# and their details go in with insert_all in batches inside one transaction (about a minute for
# 20,000 issues and 200,000 journals), then ANALYZE. Prints one JSON line: the ids and the API key bench/peer.py needs.
require 'json'

issues_n = Integer(ENV.fetch('PEER_ISSUES', '20000'))
journals_n = Integer(ENV.fetch('PEER_JOURNALS', '10'))
projects_n = Integer(ENV.fetch('PEER_PROJECTS', '10'))
password = ENV.fetch('PEER_PASSWORD', 'Bench@2026x')
batch = 5000
rng = Random.new(20261122)
started = Time.now

Setting.rest_api_enabled = '1'
Setting.per_page_options = '25,50,100'

def person(login, password, admin: false)
  user = User.find_by_login(login) || User.new
  user.login = login
  user.firstname = login.capitalize
  user.lastname = 'Bench'
  user.mail = "#{login}@bench.invalid"
  user.password = password
  user.password_confirmation = password
  user.admin = admin
  user.status = User::STATUS_ACTIVE
  user.must_change_passwd = false
  user.language = 'en'
  user.save!
  user
end

bench = person('bench', password)
developers = (1..20).map { |i| person(format('dev%02d', i), password) }
manager = Role.find_by!(name: 'Manager')
developer = Role.find_by!(name: 'Developer')
trackers = Tracker.order(:id).to_a
statuses = IssueStatus.order(:id).to_a
priorities = IssuePriority.order(:id).to_a
# a decade's mix like govit's projects: most closed, 15% in progress (the list's filter below)
status_weights = { 'New' => 10, 'In Progress' => 15, 'Resolved' => 5, 'Feedback' => 5, 'Closed' => 60, 'Rejected' => 5 }
status_pool = status_weights.flat_map { |name, w| [statuses.find { |s| s.name == name }] * w }

projects = (1..projects_n).map do |i|
  Project.create!(name: format('Bench project %02d', i), identifier: format('bench-%02d', i), is_public: true,
                  trackers: trackers, enabled_module_names: Redmine::AccessControl.available_project_modules)
end
projects.each do |project|
  Member.create!(project: project, principal: bench, role_ids: [manager.id])
  developers.each { |d| Member.create!(project: project, principal: d, role_ids: [developer.id]) }
end

words = %w[平台 系统 数据 接口 升级 政务 服务 审批 网络 安全 迁移 报表 统计 门户 检查 备份 监控 性能 权限 账号]
text = ->(n) { Array.new(n) { words[rng.rand(words.size)] }.join(' ') }
base = Time.utc(2016, 1, 1)
span = 10 * 365 * 86_400

first_issue = (Issue.maximum(:id) || 0) + 1
first_journal = (Journal.maximum(:id) || 0) + 1
first_detail = (JournalDetail.maximum(:id) || 0) + 1
ActiveRecord::Base.transaction do
  issue_rows, journal_rows, detail_rows = [], [], []
  flush = lambda do |force|
    Issue.insert_all(issue_rows) if issue_rows.any? && (force || issue_rows.size >= batch)
    issue_rows.clear if force || issue_rows.size >= batch
    Journal.insert_all(journal_rows) if journal_rows.any? && (force || journal_rows.size >= batch)
    journal_rows.clear if force || journal_rows.size >= batch
    JournalDetail.insert_all(detail_rows) if detail_rows.any? && (force || detail_rows.size >= batch)
    detail_rows.clear if force || detail_rows.size >= batch
  end
  journal_id, detail_id = first_journal, first_detail
  issues_n.times do |k|
    id = first_issue + k
    created = base + rng.rand(span)
    status = status_pool[rng.rand(status_pool.size)]
    updated = created + journals_n * 86_400
    issue_rows << {
      id: id, tracker_id: trackers[rng.rand(trackers.size)].id, project_id: projects[k % projects_n].id,
      subject: "#{text.call(4)} #{id}", description: text.call(80), status_id: status.id,
      assigned_to_id: developers[rng.rand(developers.size)].id, priority_id: priorities[rng.rand(priorities.size)].id,
      author_id: developers[rng.rand(developers.size)].id, lock_version: journals_n, created_on: created,
      updated_on: updated, start_date: created.to_date, due_date: (created + 180 * 86_400).to_date,
      done_ratio: status.is_closed ? 100 : rng.rand(10) * 10, estimated_hours: rng.rand(100),
      root_id: id, lft: 1, rgt: 2, is_private: false, closed_on: status.is_closed ? updated : nil
    }
    journals_n.times do |j|
      journal_rows << { id: journal_id, journalized_id: id, journalized_type: 'Issue',
                        user_id: developers[rng.rand(developers.size)].id, notes: text.call(30),
                        created_on: created + (j + 1) * 86_400, private_notes: false }
      detail_rows << { id: detail_id, journal_id: journal_id, property: 'attr', prop_key: 'done_ratio',
                       old_value: (j * 10).to_s, value: ((j + 1) * 10).to_s }
      journal_id += 1
      detail_id += 1
    end
    flush.call(false)
  end
  flush.call(true)
end

# statistics, as bench/seed.py leaves govit's database (and autovacuum a production PostgreSQL)
connection = ActiveRecord::Base.connection
connection.execute(connection.adapter_name =~ /postg/i ? 'VACUUM ANALYZE' : 'ANALYZE')

in_progress = statuses.find { |s| s.name == 'In Progress' }
issue = Issue.where(status_id: in_progress.id).order(id: :desc).first
puts JSON.generate(
  issues: Issue.count, journals: Journal.count, journal_details: JournalDetail.count, projects: projects_n,
  in_progress_status_id: in_progress.id, in_progress_issues: Issue.where(status_id: in_progress.id).count,
  issue_id: issue.id, api_key: bench.api_key, seconds: (Time.now - started).round(1)
)
