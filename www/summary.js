// What a person wants from Sekoia context bundles (sekoia.indicatorContext): the indicator(s),
// the threats they are linked to, the sources and the TLP markings. Shared by the dashboard
// and the extension (plain data in, plain data out).

const THREAT_TYPES = new Set(["malware", "intrusion-set", "threat-actor", "tool", "campaign", "attack-pattern", "vulnerability"]);

/** Sekoia observable types `indicators/context` accepts, among those the IOC extractor reports. */
export const LOOKUP_TYPES = new Set(["ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "file", "autonomous-system", "mac-addr"]);

/** Whether an extracted IOC (`extractIocs` item) can be looked up in the Intelligence Center. */
export const canLookUp = (ioc) => LOOKUP_TYPES.has(ioc.sekoiaType);

/** @param {{ bundles: Array<{ objects?: any[] }>, hasMore?: boolean }} ctx */
export function summariseContext(ctx) {
  const byId = new Map();
  for (const b of ctx.bundles) for (const o of b.objects ?? []) byId.set(o.id, o);
  const objs = [...byId.values()];
  const indicators = objs.filter((o) => o.type === "indicator");
  const threats = [];
  for (const r of objs.filter((o) => o.type === "relationship")) {
    const other = byId.get(indicators.some((i) => i.id === r.source_ref) ? r.target_ref : r.source_ref);
    if (other && THREAT_TYPES.has(other.type) && !threats.some((t) => t.name === other.name)) {
      threats.push({ rel: r.relationship_type, type: other.type, name: other.name, aliases: other.aliases ?? other.x_mitre_aliases ?? [] });
    }
  }
  for (const o of objs) if (THREAT_TYPES.has(o.type) && !threats.some((t) => t.name === o.name)) threats.push({ rel: "related", type: o.type, name: o.name, aliases: [] });
  const sources = [...new Set(indicators.flatMap((i) => i.x_inthreat_sources_refs ?? []))].map((id) => byId.get(id)?.name ?? id);
  const creators = [...new Set(indicators.map((i) => byId.get(i.created_by_ref)?.name).filter(Boolean))];
  const markings = [...new Set(indicators.flatMap((i) => i.object_marking_refs ?? []).map((id) => byId.get(id)?.name).filter(Boolean))];
  const now = Date.now();
  const active = indicators.some((i) => !i.revoked && (!i.valid_until || Date.parse(i.valid_until) > now));
  const ind = indicators[0];
  return {
    known: indicators.length > 0,
    active,
    indicatorCount: indicators.length,
    indicator: ind ? { id: ind.id, name: ind.name, types: ind.indicator_types ?? [], confidence: ind.confidence ?? null, validFrom: ind.valid_from ?? null,
      validUntil: ind.valid_until ?? null, revoked: !!ind.revoked, killChain: (ind.kill_chain_phases ?? []).map((p) => p.phase_name), description: ind.description ?? "" } : null,
    threats, sources, creators, markings,
    relationships: objs.filter((o) => o.type === "relationship").length,
    bundles: ctx.bundles.length,
    hasMore: !!ctx.hasMore,
  };
}
