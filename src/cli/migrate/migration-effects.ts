/** What reverting each migration removes, shown before `migrate down` asks for confirmation. */
const DOWN_EFFECTS: Readonly<Record<string, string>> = {
  '0001_baseline':
    'drops the tables audit_events, tokens and projects: every project, provider API key, token and audit event is deleted',
  '0002_project_provider': 'drops the column projects.provider: the provider each project names is lost',
  '0003_token_name': 'drops the column tokens.name: every token name is lost',
  '0004_project_cache_post_ttl':
    'drops the column projects.cache_post_ttl_seconds: every project cache TTL for POST requests is lost',
  '0005_usage_hourly':
    'drops the table usage_hourly: every recorded token count, cache hit, error count and estimated cost is lost',
  '0006_usage_hour_report_index':
    'drops the index idx_usage_hourly_hour_report and puts the plain index on usage_hourly.hour back: no data is lost, usage reports over long ranges get slower',
  '0007_usage_daily':
    'drops the table usage_daily: no data is lost (usage_hourly holds the same counts), usage reports by day get slower',
};

/** A sentence saying what reverting the named migration drops. */
export function downEffect(name: string): string {
  return DOWN_EFFECTS[name] ?? 'runs its down step, which may drop tables, columns or data';
}
