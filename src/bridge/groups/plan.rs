//! A group write as a plan: new name and external id, and member steps resolved into set differences.

use std::collections::{BTreeSet, HashMap};

use serde_json::json;

use super::IdMap;
use crate::bridge::Bridge;
use crate::bridge::audit::WriteContext;
use crate::bridge::errors::BridgeError;
use crate::scim::filter::{CompValue, CompareOp, Filter, matches_element};
use crate::scim::schema::group_schema;

/// One change to the member set, in request order.
#[derive(Debug, Clone)]
pub(super) enum MemberStep {
    /// Add these ids.
    Add(Vec<String>),
    /// Remove these ids.
    Remove(Vec<String>),
    /// Remove the members a value filter selects (other than `value eq`).
    RemoveWhere(Filter),
    /// Remove every member.
    RemoveAll,
    /// The member set becomes exactly these ids.
    Replace(Vec<String>),
}

/// What a PUT or PATCH asks for.
#[derive(Debug, Clone, Default)]
pub(super) struct Plan {
    /// A new `displayName`.
    pub name: Option<String>,
    /// A new `externalId` (`Some(None)` clears it).
    pub external_id: Option<Option<String>>,
    /// Member changes in order.
    pub steps: Vec<MemberStep>,
}

/// The member changes to send: no id in `add` is a member yet, every id in `remove` is one.
#[derive(Debug, Default)]
pub(super) struct Delta {
    /// Ids to add.
    pub add: BTreeSet<String>,
    /// Ids to remove.
    pub remove: BTreeSet<String>,
}

/// The ids of a filter made only of `value eq "<id>"` terms joined by `or` (what IdPs send).
pub(super) fn value_eq_ids(f: &Filter) -> Option<Vec<String>> {
    match f {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value: CompValue::Str(id),
        } if path.attr.eq_ignore_ascii_case("value") && path.sub_attr.is_none() => {
            Some(vec![id.clone()])
        }
        Filter::Or(a, b) => {
            let mut ids = value_eq_ids(a)?;
            ids.extend(value_eq_ids(b)?);
            Some(ids)
        }
        _ => None,
    }
}

impl MemberStep {
    /// The step with SCIM user ids turned into Dropbox member ids.
    fn to_dropbox(&self, map: &IdMap) -> Self {
        let ids = |ids: &[String]| ids.iter().map(|id| map.dropbox(id)).collect();
        match self {
            Self::Add(v) => Self::Add(ids(v)),
            Self::Remove(v) => Self::Remove(ids(v)),
            Self::Replace(v) => Self::Replace(ids(v)),
            other => other.clone(),
        }
    }
}

fn needs_listing(steps: &[MemberStep]) -> bool {
    steps.iter().any(|s| {
        matches!(
            s,
            MemberStep::RemoveWhere(_) | MemberStep::RemoveAll | MemberStep::Replace(_)
        )
    })
}

impl Bridge {
    /// Turns member steps into the adds and removes to send, failing with 400 if an added id is
    /// not a team member. Pure adds/removes cost `members/get_info_v2` look-ups only; steps that
    /// depend on the whole set (replace, remove all, other filters) list the group's members.
    pub(super) async fn resolve_members(
        &self,
        ctx: &WriteContext,
        gid: &str,
        steps: &[MemberStep],
        map: &IdMap,
    ) -> Result<Delta, BridgeError> {
        if steps.is_empty() {
            return Ok(Delta::default());
        }
        let steps: Vec<MemberStep> = steps.iter().map(|s| s.to_dropbox(map)).collect();
        if needs_listing(&steps) {
            return self.resolve_against_listing(ctx, gid, &steps, map).await;
        }
        let (mut add, mut remove) = (BTreeSet::new(), BTreeSet::new());
        for step in &steps {
            match step {
                MemberStep::Add(ids) => ids.iter().for_each(|id| {
                    remove.remove(id);
                    add.insert(id.clone());
                }),
                MemberStep::Remove(ids) => ids.iter().for_each(|id| {
                    add.remove(id);
                    remove.insert(id.clone());
                }),
                _ => {}
            }
        }
        let all: BTreeSet<String> = add.union(&remove).cloned().collect();
        let found = self.lookup_members(Some(ctx), &all).await?;
        let unknown: Vec<&String> = add.iter().filter(|id| !found.contains_key(*id)).collect();
        if !unknown.is_empty() {
            return Err(self.unknown_members_error(&unknown).await);
        }
        let in_group = |id: &String| {
            found
                .get(id)
                .is_some_and(|m| m.groups.iter().any(|g| g == gid))
        };
        Ok(Delta {
            add: add.into_iter().filter(|id| !in_group(id)).collect(),
            remove: remove.into_iter().filter(|id| in_group(id)).collect(),
        })
    }

    async fn resolve_against_listing(
        &self,
        ctx: &WriteContext,
        gid: &str,
        steps: &[MemberStep],
        map: &IdMap,
    ) -> Result<Delta, BridgeError> {
        let listed = self.group_members(Some(ctx), gid).await?;
        let display: HashMap<String, Option<String>> = listed
            .iter()
            .map(|m| (m.value.clone(), m.display.clone()))
            .collect();
        let current: BTreeSet<String> = display.keys().cloned().collect();
        let mut set = current.clone();
        let members_def = group_schema().core.attr("members");
        for step in steps {
            match step {
                MemberStep::Add(ids) => set.extend(ids.iter().cloned()),
                MemberStep::Remove(ids) => ids.iter().for_each(|id| {
                    set.remove(id);
                }),
                MemberStep::RemoveAll => set.clear(),
                MemberStep::Replace(ids) => set = ids.iter().cloned().collect(),
                MemberStep::RemoveWhere(f) => set.retain(|id| {
                    let elem = json!({"value": map.scim(id), "display": display.get(id).cloned().flatten()});
                    !members_def.is_some_and(|def| matches_element(f, &elem, def))
                }),
            }
        }
        let add: BTreeSet<String> = set.difference(&current).cloned().collect();
        self.require_members(Some(ctx), &add).await?;
        let remove = current.difference(&set).cloned().collect();
        Ok(Delta { add, remove })
    }
}
