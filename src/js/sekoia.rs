//! Sekoia Intelligence Center methods: objects, relationships, context bundles, IOC
//! lookups, object lists and feeds CRUD (`providers/sekoia/intel.rs` builds the requests).

use std::rc::Rc;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::client::{stringify, CallContext, ClientCore};
use super::errors;
use super::list::{list_iterator, paging_options};
use super::options::{get, string_arg, Opts};
use super::vendors::Sekoia;
use crate::core::error::{ApiErrorKind, Error, Result};
use crate::core::request::Request;
use crate::providers::sekoia::intel::{self, ListFilters};

#[wasm_bindgen(typescript_custom_section)]
const TS_SEKOIA: &'static str = r#"
/** Fields every STIX 2.1 object from the Intelligence Center may carry (Sekoia extensions included). Unknown fields are kept as sent. */
export interface StixCommon {
  id: string;
  type: string;
  spec_version?: string;
  created?: string;
  modified?: string;
  created_by_ref?: string;
  revoked?: boolean;
  labels?: string[];
  confidence?: number | null;
  lang?: string;
  external_references?: Array<{ source_name: string; description?: string; url?: string; external_id?: string }>;
  object_marking_refs?: string[];
  /** Sekoia: the real sources of the object (identity ids). */
  x_inthreat_sources_refs?: string[];
  x_inthreat_uploaded_files?: Array<{ file_name: string; mime_type: string; sha256: string }>;
  x_ic_is_in_flint?: boolean;
  x_ic_impacted_sectors?: string[];
  x_ic_impacted_locations?: string[];
  x_ic_deprecated?: boolean;
  x_ic_external_refs?: string[];
  [field: string]: unknown;
}
export interface KillChainPhase { kill_chain_name: string; phase_name: string; }
export interface StixIndicator extends StixCommon {
  type: "indicator";
  name?: string;
  description?: string;
  pattern: string;
  pattern_type?: string;
  indicator_types?: Array<"benign" | "compromised" | "attribution" | "anomalous-activity" | "anonymization" | "malicious-activity" | string>;
  valid_from?: string;
  valid_until?: string;
  kill_chain_phases?: KillChainPhase[];
  /** Sekoia: observable types of the pattern (ipv4-addr, file, ...). */
  x_ic_observable_types?: string[];
  /** Sekoia IOC collections. */
  x_ic_collection_ref?: string;
  x_ic_related_threat_refs?: string[];
}
export interface StixRelationship extends StixCommon {
  type: "relationship";
  relationship_type: string;
  source_ref: string;
  target_ref: string;
  start_time?: string;
  stop_time?: string;
  description?: string;
}
export interface StixNamed extends StixCommon { name: string; description?: string; aliases?: string[]; }
export interface StixMalware extends StixNamed { type: "malware"; is_family?: boolean; malware_types?: string[]; kill_chain_phases?: KillChainPhase[]; }
export interface StixIntrusionSet extends StixNamed { type: "intrusion-set"; first_seen?: string; last_seen?: string; goals?: string[]; }
export interface StixThreatActor extends StixNamed { type: "threat-actor"; threat_actor_types?: string[]; }
export interface StixAttackPattern extends StixNamed { type: "attack-pattern"; kill_chain_phases?: KillChainPhase[]; }
export interface StixTool extends StixNamed { type: "tool"; tool_types?: string[]; }
export interface StixVulnerability extends StixNamed { type: "vulnerability"; }
export interface StixCampaign extends StixNamed { type: "campaign"; first_seen?: string; last_seen?: string; }
export interface StixIdentity extends StixNamed { type: "identity"; identity_class?: string; sectors?: string[]; x_ic_is_source?: boolean; x_ic_is_sector?: boolean; }
export interface StixLocation extends StixCommon { type: "location"; name?: string; country?: string; region?: string; }
export interface StixMarkingDefinition extends StixCommon { type: "marking-definition"; name?: string; definition_type?: string; definition?: Record<string, unknown>; }
export interface StixReport extends StixNamed { type: "report"; published?: string; report_types?: string[]; object_refs?: string[]; }
export interface StixCourseOfAction extends StixNamed { type: "course-of-action"; }
/** Any object a feed, a lookup or a context bundle returns. */
export type StixObject =
  | StixIndicator | StixRelationship | StixMalware | StixIntrusionSet | StixThreatActor | StixAttackPattern | StixTool
  | StixVulnerability | StixCampaign | StixIdentity | StixLocation | StixMarkingDefinition | StixReport | StixCourseOfAction | StixCommon;
export interface StixBundle { type: "bundle"; id: string; spec_version?: string; objects: StixObject[]; }
export interface ObjectListOptions extends ListOptions {
  types?: string[]; names?: string[]; ids?: string[]; externalIds?: string[];
  tlps?: string[]; sources?: string[]; labels?: string[]; deprecated?: boolean;
}
export interface RelationshipListOptions extends ListOptions {
  /** Types of the related objects. */
  types?: string[]; targetTypes?: string[]; observableTypes?: string[];
  category?: string; includeRevoked?: boolean;
}
export interface RelatedObject<R = StixRelationship, O = StixObject> { relationship: R; related_object: O; }
export interface IndicatorLookup {
  /** The IOC value as given. */
  value: string;
  /** A Sekoia observable type (ipv4-addr, domain-name, url, file, ...). Detected from the value when absent. */
  type?: string;
}
export interface IndicatorContext<B = StixBundle> {
  type: string;
  value: string;
  /** STIX bundles (≤ 100 objects each); empty when the value is unknown. */
  bundles: B[];
  hasMore: boolean;
}
export interface FeedListOptions extends ListOptions { term?: string; }
export interface TlpIds { WHITE: string; GREEN: string; AMBER: string; RED: string; }
"#;




fn filters(o: &Opts, fields: &[(&str, &str)], bools: &[(&str, &str)], strings: &[(&str, &str)]) -> Result<ListFilters> {
    let mut f = ListFilters::default();
    for (key, wire) in fields {
        let values = o.strings(key)?;
        if !values.is_empty() {
            f.matches.push((wire.to_string(), values));
        }
    }
    for (key, wire) in bools {
        if let Some(b) = o.bool(key)? {
            f.extra.push((wire.to_string(), b.to_string()));
        }
    }
    for (key, wire) in strings {
        if let Some(s) = o.string(key)? {
            f.extra.push((wire.to_string(), s));
        }
    }
    Ok(f)
}

/// Sends one request and maps the body; every error becomes a JS error.
pub(super) fn call(core: Rc<ClientCore>, req: Result<Request>, options: JsValue, map: fn(JsValue) -> JsValue) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        let ctx = Opts::new(&options, "").and_then(|o| CallContext::parse(&o)).map_err(|e| errors::to_js(&e))?;
        let req = req.map_err(|e| errors::to_js(&e))?;
        let ok = core.send(&req, &ctx, Array::new()).await.map_err(|e| errors::to_js(&e))?;
        Ok(map(ok.body))
    })
}

/// `{"data": x}` → x (single-object responses); anything else as is.
fn unwrap_data(body: JsValue) -> JsValue {
    let d = get(&body, "data");
    if d.is_undefined() { body } else { d }
}

pub(super) fn identity(body: JsValue) -> JsValue {
    body
}

#[wasm_bindgen]
impl Sekoia {
    /// TLP marking-definition ids, for feed configurations.
    #[wasm_bindgen(getter = TLP, unchecked_return_type = "TlpIds")]
    pub fn tlp() -> JsValue {
        let o = Object::new();
        for (k, v) in [("WHITE", intel::TLP_WHITE), ("GREEN", intel::TLP_GREEN), ("AMBER", intel::TLP_AMBER), ("RED", intel::TLP_RED)] {
            let _ = Reflect::set(&o, &k.into(), &v.into());
        }
        o.into()
    }

    /// One STIX object by id.
    #[wasm_bindgen(js_name = getObject, unchecked_return_type = "Promise<StixObject>")]
    pub fn get_object(&self, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&id, "id").and_then(|id| intel::object(&self.core.config, &id));
        call(self.core.clone(), req, options, unwrap_data)
    }

    /// Many objects by id, in batches of 40; the result is aligned with `ids` (null where unknown).
    #[wasm_bindgen(js_name = getObjects, unchecked_return_type = "Promise<Array<StixObject | null>>")]
    pub fn get_objects(&self, #[wasm_bindgen(unchecked_param_type = "string[]")] ids: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let core = self.core.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let run = async {
                let arr: Array = ids.dyn_into().map_err(|_| Error::validation("ids", "must be an array of strings"))?;
                let ids: Vec<String> = arr.iter().map(|x| x.as_string().ok_or_else(|| Error::validation("ids", "must be an array of strings"))).collect::<Result<_>>()?;
                let ctx = CallContext::parse(&Opts::new(&options, "")?)?;
                let batches = intel::objects_batches(&core.config, &ids)?;
                let found = Object::new();
                for (batch, req) in batches {
                    match core.send(&req, &ctx, Array::new()).await {
                        Ok(ok) => {
                            // the objects of a batch: `_items` in Sekoia's specs, `items` in what its
                            // own connectors read; a lone `data` object otherwise
                            let many = ["_items", "items", "data"].into_iter().map(|k| get(&ok.body, k)).find(Array::is_array);
                            let list = match many {
                                Some(a) => Array::from(&a),
                                None => Array::of1(&unwrap_data(ok.body)),
                            };
                            for o in list.iter() {
                                let _ = Reflect::set(&found, &get(&o, "id"), &o);
                            }
                        }
                        // One unknown id can 404 a whole batch: ask for each id on its own.
                        Err(Error::Api(e)) if e.kind == ApiErrorKind::NotFound && batch.len() > 1 => {
                            for id in &batch {
                                let req = intel::object(&core.config, id)?;
                                match core.send(&req, &ctx, Array::new()).await {
                                    Ok(ok) => {
                                        let _ = Reflect::set(&found, &JsValue::from_str(id), &unwrap_data(ok.body));
                                    }
                                    Err(Error::Api(e)) if e.kind == ApiErrorKind::NotFound => {}
                                    Err(e) => return Err(e),
                                }
                            }
                        }
                        Err(Error::Api(e)) if e.kind == ApiErrorKind::NotFound => {}
                        Err(e) => return Err(e),
                    }
                }
                let out = Array::new();
                for id in &ids {
                    let v = get(&found, id);
                    out.push(&if v.is_undefined() { JsValue::NULL } else { v });
                }
                Ok::<JsValue, Error>(out.into())
            };
            run.await.map_err(|e| errors::to_js(&e))
        })
    }

    #[wasm_bindgen(js_name = getRelationship, unchecked_return_type = "Promise<StixRelationship>")]
    pub fn get_relationship(&self, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&id, "id").and_then(|id| intel::relationship(&self.core.config, &id));
        call(self.core.clone(), req, options, unwrap_data)
    }

    /// The object's context: a STIX bundle with its first-level relationships, related objects,
    /// sources and markings (≤ 100 objects).
    #[wasm_bindgen(unchecked_return_type = "Promise<StixBundle>")]
    pub fn context(&self, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&id, "id").and_then(|id| intel::context(&self.core.config, &id));
        call(self.core.clone(), req, options, identity)
    }

    /// A file attached to an object, by its SHA-256.
    #[wasm_bindgen(js_name = objectFile, unchecked_return_type = "Promise<Uint8Array>")]
    pub fn object_file(&self, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue, #[wasm_bindgen(unchecked_param_type = "string")] sha256: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&id, "id").and_then(|id| Ok((id, string_arg(&sha256, "sha256")?))).and_then(|(id, sha)| intel::object_file(&self.core.config, &id, &sha));
        call(self.core.clone(), req, options, identity)
    }

    /// Relationships of an object with the related objects, page by page.
    #[wasm_bindgen(js_name = objectRelationships, unchecked_return_type = "ListIterator<RelatedObject>")]
    pub fn object_relationships(&self, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "RelationshipListOptions")] options: JsValue) -> std::result::Result<JsValue, JsValue> {
        let run = || -> Result<JsValue> {
            let id = string_arg(&id, "id")?;
            intel::check_stix_id("id", &id)?;
            let o = Opts::new(&options, "")?;
            let f = filters(&o, &[("types", "type"), ("targetTypes", "target_types"), ("observableTypes", "observable_types")], &[("includeRevoked", "include_revoked")], &[("category", "category")])?;
            let (paging, ctx) = paging_options(&o, 100, intel::MAX_PAGE)?;
            let core = self.core.clone();
            let cfg = core.config.clone();
            Ok(list_iterator(core, paging, ctx, Box::new(move |offset, limit| intel::object_relationships(&cfg, &id, &f, offset, limit))))
        };
        run().map_err(|e| errors::to_js(&e))
    }

    /// Objects matching filters, page by page (`match[type]`, `match[name]`...). The API pages
    /// by offset up to 10 000: past it the iterator throws a `ValidationError` (narrow the filters,
    /// or follow a feed) rather than the API's 400.
    #[wasm_bindgen(js_name = listObjects, unchecked_return_type = "ListIterator<StixObject>")]
    pub fn list_objects(&self, #[wasm_bindgen(unchecked_optional_param_type = "ObjectListOptions")] options: JsValue) -> std::result::Result<JsValue, JsValue> {
        let run = || -> Result<JsValue> {
            let o = Opts::new(&options, "")?;
            let f = filters(
                &o,
                &[("types", "type"), ("names", "name"), ("ids", "id"), ("externalIds", "external_id"), ("tlps", "tlp"), ("sources", "source"), ("labels", "label")],
                &[("deprecated", "deprecated")],
                &[],
            )?;
            let (paging, ctx) = paging_options(&o, 100, intel::MAX_PAGE)?;
            let core = self.core.clone();
            let cfg = core.config.clone();
            Ok(list_iterator(core, paging, ctx, Box::new(move |offset, limit| intel::list_objects(&cfg, &f, offset, limit))))
        };
        run().map_err(|e| errors::to_js(&e))
    }

    /// Context bundles of an IOC (`indicators/context`). The observable type is detected from
    /// the value when not given; a value that is no IOC is refused before any request.
    #[wasm_bindgen(js_name = indicatorContext, unchecked_return_type = "Promise<IndicatorContext>")]
    pub fn indicator_context(&self, #[wasm_bindgen(unchecked_param_type = "IndicatorLookup")] lookup: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let core = self.core.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let run = async {
                let (observable_type, value) = lookup_args(&lookup)?;
                let ctx = CallContext::parse(&Opts::new(&options, "")?)?;
                let req = intel::indicator_context(&core.config, &observable_type, &value)?;
                let ok = core.send(&req, &ctx, Array::new()).await?;
                let items = get(&ok.body, "items");
                let out = Object::new();
                let _ = Reflect::set(&out, &"type".into(), &JsValue::from_str(&observable_type));
                let _ = Reflect::set(&out, &"value".into(), &JsValue::from_str(&value));
                let _ = Reflect::set(&out, &"bundles".into(), &if Array::is_array(&items) { items } else { Array::new().into() });
                let _ = Reflect::set(&out, &"hasMore".into(), &JsValue::from_bool(get(&ok.body, "has_more").as_bool() == Some(true)));
                Ok::<JsValue, Error>(out.into())
            };
            run.await.map_err(|e| errors::to_js(&e))
        })
    }

    /// Indicators whose observable is this value (`indicators?type=&value=`).
    #[wasm_bindgen(js_name = findIndicators, unchecked_return_type = "Promise<StixIndicator[]>")]
    pub fn find_indicators(&self, #[wasm_bindgen(unchecked_param_type = "IndicatorLookup")] lookup: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = lookup_args(&lookup).and_then(|(t, v)| intel::indicators(&self.core.config, &t, &v));
        call(self.core.clone(), req, options, |body| {
            let items = get(&body, "items");
            if Array::is_array(&items) { items } else { Array::new().into() }
        })
    }

    /// Outgoing feeds of the community.
    #[wasm_bindgen(js_name = listFeeds, unchecked_return_type = "ListIterator")]
    pub fn list_feeds(&self, #[wasm_bindgen(unchecked_optional_param_type = "FeedListOptions")] options: JsValue) -> std::result::Result<JsValue, JsValue> {
        let run = || -> Result<JsValue> {
            let o = Opts::new(&options, "")?;
            let term = o.string("term")?;
            let (paging, ctx) = paging_options(&o, 100, intel::MAX_PAGE)?;
            let core = self.core.clone();
            let cfg = core.config.clone();
            Ok(list_iterator(core, paging, ctx, Box::new(move |offset, limit| intel::list_feeds(&cfg, offset, limit, term.as_deref()))))
        };
        run().map_err(|e| errors::to_js(&e))
    }

    #[wasm_bindgen(js_name = getFeed, unchecked_return_type = "Promise<any>")]
    pub fn get_feed(&self, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&id, "id").and_then(|id| intel::get_feed(&self.core.config, &id));
        call(self.core.clone(), req, options, unwrap_data)
    }

    /// Creates a feed (`{ title, types, tlps, ... }` in Sekoia's field names).
    #[wasm_bindgen(js_name = createFeed, unchecked_return_type = "Promise<any>")]
    pub fn create_feed(&self, feed: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = feed_body(&feed).and_then(|json| intel::create_feed(&self.core.config, json));
        call(self.core.clone(), req, options, unwrap_data)
    }

    #[wasm_bindgen(js_name = updateFeed, unchecked_return_type = "Promise<any>")]
    pub fn update_feed(&self, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue, feed: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&id, "id").and_then(|id| Ok((id, feed_body(&feed)?))).and_then(|(id, json)| intel::update_feed(&self.core.config, &id, json));
        call(self.core.clone(), req, options, unwrap_data)
    }

    #[wasm_bindgen(js_name = deleteFeed, unchecked_return_type = "Promise<void>")]
    pub fn delete_feed(&self, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&id, "id").and_then(|id| intel::delete_feed(&self.core.config, &id));
        call(self.core.clone(), req, options, |_| JsValue::UNDEFINED)
    }
}

fn feed_body(feed: &JsValue) -> Result<String> {
    if !feed.is_object() || Array::is_array(feed) {
        return Err(Error::validation("feed", "must be an object"));
    }
    let o = Opts::new(feed, "feed")?;
    if let Some(t) = o.string("title")? {
        if t.trim().is_empty() {
            return Err(Error::validation("feed.title", "must not be empty"));
        }
    }
    stringify(feed, "feed")
}

/// `{ value, type? }` → (observable type, value). The type is detected when absent.
fn lookup_args(lookup: &JsValue) -> Result<(String, String)> {
    let o = Opts::new(lookup, "")?;
    let value = o.required_string("value")?;
    match o.string("type")? {
        Some(t) => Ok((t, value.trim().to_string())),
        None => crate::providers::sekoia::detect_observable_type(&value),
    }
}
