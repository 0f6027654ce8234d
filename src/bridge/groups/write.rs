//! Group writes: create, replace (PUT), and applying a validated plan.

use std::collections::BTreeSet;

use serde_json::Value;

use super::plan::{MemberStep, Plan};
use super::{GroupHead, selector};
use crate::bridge::audit::WriteContext;
use crate::bridge::errors::{BridgeError, from_dropbox};
use crate::bridge::{Bridge, limits};
use crate::dropbox::ErrorKind;
use crate::dropbox::team::{
    GroupCreateArg, GroupFullInfo, GroupUpdateArgs, GroupsGetInfoItem, GroupsSelector,
};
use crate::scim::etag::EntityTags;
use crate::scim::resource::{ScimGroup, get_ci};
use dropbox_sdk::types::team_common::GroupManagementType;

/// How far behind the bridge's clock Dropbox's may run when a lost `groups/create` is dated.
const CLOCK_SKEW_MS: i64 = 60_000;

impl Bridge {
    /// `POST /Groups`: validates the name, external id and every member before `groups/create`,
    /// then adds the members in batches.
    pub async fn create_group(
        &self,
        ctx: &WriteContext,
        body: Value,
    ) -> Result<ScimGroup, BridgeError> {
        let result = self.create_inner(ctx, body).await;
        let id = result.as_ref().ok().and_then(|g| g.id.clone());
        self.audited(ctx, id.as_deref(), result, 201).await
    }

    async fn create_inner(
        &self,
        ctx: &WriteContext,
        body: Value,
    ) -> Result<ScimGroup, BridgeError> {
        let wanted = ScimGroup::from_json(body)?;
        limits::check_group_name(&wanted.display_name)?;
        if let Some(x) = &wanted.external_id {
            limits::check_external_id(x)?;
        }
        let map = self.id_map().await?;
        let ids: BTreeSet<String> = wanted
            .members
            .iter()
            .map(|m| map.dropbox(&m.value))
            .collect();
        self.require_members(Some(ctx), &ids).await?;
        let head = self.create_in_dropbox(ctx, &wanted).await?;
        self.group_names().put(&head.id, &head.name);
        let _guard = self.inner.locks.lock(&format!("group:{}", head.id)).await;
        if let Err(e) = self
            .change_members(ctx, &head.id, &ids, &BTreeSet::new())
            .await
        {
            // All or nothing: without the group, the IdP's retry creates it anew instead of
            // meeting a 409 for a group it never heard of.
            let res = self
                .dropbox_for(ctx)
                .groups_delete_wait(&selector(&head.id))
                .await;
            if res.is_ok() {
                self.group_names().remove(&head.id);
            }
            if let Err(del) = res {
                tracing::warn!(group_id = %head.id, error = %del,
                    "could not delete a group whose initial members failed to be added");
            }
            return Err(e);
        }
        self.roles_after_group_change(ctx, &head.name, &ids, &BTreeSet::new())
            .await?;
        let members = wanted
            .members
            .iter()
            .map(|m| crate::scim::resource::Member {
                value: m.value.clone(),
                display: None,
                kind: Some("User".to_owned()),
            });
        let mut seen = BTreeSet::new();
        let members = members.filter(|m| seen.insert(m.value.clone())).collect();
        self.with_times(head.to_scim(members)).await
    }

    /// `groups/create`. It is not re-sent blindly: when its reply is lost (a 5xx or a dropped
    /// connection), a look-up tells whether this attempt created the group.
    async fn create_in_dropbox(
        &self,
        ctx: &WriteContext,
        wanted: &ScimGroup,
    ) -> Result<GroupHead, BridgeError> {
        let mut arg = GroupCreateArg::new(wanted.display_name.clone())
            .with_group_management_type(GroupManagementType::CompanyManaged);
        if let Some(x) = &wanted.external_id {
            arg = arg.with_group_external_id(x.clone());
        }
        // Dropbox's clock may run a little behind ours: allow for it when dating the group.
        let started_ms = chrono::Utc::now().timestamp_millis() - CLOCK_SKEW_MS;
        let res = self.dropbox_for(ctx).groups_create(&arg).await;
        match res {
            Ok(info) => Ok(GroupHead::from(&info)),
            Err(e) if matches!(e.kind, ErrorKind::Server(_) | ErrorKind::Transport(_)) => {
                match self.created_unseen(ctx, wanted, started_ms).await? {
                    Some(head) => Ok(head),
                    None => Err(from_dropbox(e)),
                }
            }
            Err(e) => Err(from_dropbox(e)),
        }
    }

    /// The group a `groups/create` whose reply was lost made, if it did. With an externalId: the
    /// group holding it, if it has the requested name (externalIds are unique in a team and are
    /// the IdP's own ids). Without one: the group of exactly that name, without an external id,
    /// company-managed, with no members, created since this request began.
    async fn created_unseen(
        &self,
        ctx: &WriteContext,
        wanted: &ScimGroup,
        started_ms: i64,
    ) -> Result<Option<GroupHead>, BridgeError> {
        let ours = |g: &GroupFullInfo| g.group_name == wanted.display_name;
        if let Some(x) = &wanted.external_id {
            let arg = GroupsSelector::GroupExternalIds(vec![x.clone()]);
            let found = self.group_infos(ctx, &arg).await?;
            return Ok(found
                .iter()
                .find(|g| g.group_external_id.as_deref() == Some(x.as_str()) && ours(g))
                .map(GroupHead::from));
        }
        let named: Vec<String> = self
            .all_groups()
            .await?
            .into_iter()
            .filter(|h| h.name == wanted.display_name)
            .map(|h| h.id)
            .collect();
        if named.is_empty() {
            return Ok(None);
        }
        let found = self
            .group_infos(ctx, &GroupsSelector::GroupIds(named))
            .await?;
        Ok(found
            .iter()
            .find(|g| {
                ours(g)
                    && g.group_external_id.as_deref().unwrap_or("").is_empty()
                    && matches!(g.group_management_type, GroupManagementType::CompanyManaged)
                    && g.member_count.unwrap_or(0) == 0
                    && i64::try_from(g.created).is_ok_and(|c| c >= started_ms)
            })
            .map(GroupHead::from))
    }

    /// `groups/get_info` for a selector: the groups found (ids not found are left out).
    async fn group_infos(
        &self,
        ctx: &WriteContext,
        arg: &GroupsSelector,
    ) -> Result<Vec<GroupFullInfo>, BridgeError> {
        let items = self
            .dropbox_for(ctx)
            .groups_get_info(arg)
            .await
            .map_err(from_dropbox)?;
        Ok(items
            .into_iter()
            .filter_map(|item| match item {
                GroupsGetInfoItem::GroupInfo(g) => Some(g),
                _ => None,
            })
            .collect())
    }

    /// `PUT /Groups/{id}`: sends only the difference (one `groups/update` for name and external id,
    /// batched member adds and removes).
    pub async fn replace_group(
        &self,
        ctx: &WriteContext,
        id: &str,
        body: Value,
    ) -> Result<ScimGroup, BridgeError> {
        self.replace_group_if(ctx, id, body, None).await
    }

    /// `PUT /Groups/{id}` with `If-Match`: 412 unless the group's current version is one of `if_match`.
    pub async fn replace_group_if(
        &self,
        ctx: &WriteContext,
        id: &str,
        body: Value,
        if_match: Option<EntityTags>,
    ) -> Result<ScimGroup, BridgeError> {
        let result = async {
            // RFC 7644 section 3.5.1 lets an omitted attribute keep its value: a PUT without
            // `members` must not empty a group (an explicit `null` or `[]` does).
            let has_members = get_ci(&body, "members").is_some();
            let has_external_id = get_ci(&body, "externalId").is_some();
            let wanted = ScimGroup::from_json(body)?;
            let members = wanted.members.into_iter().map(|m| m.value).collect();
            let plan = Plan {
                name: Some(wanted.display_name),
                external_id: has_external_id.then_some(wanted.external_id),
                steps: if has_members {
                    vec![MemberStep::Replace(members)]
                } else {
                    Vec::new()
                },
            };
            self.apply_plan(ctx, id, plan, true, if_match.as_ref())
                .await
        }
        .await;
        self.audited(ctx, Some(id), result, 200).await
    }

    /// Validates `plan` against the group, then makes the fewest calls that carry it out, under the
    /// group's lock. Answers the group as it is afterwards, members included when `with_members`.
    pub(super) async fn apply_plan(
        &self,
        ctx: &WriteContext,
        id: &str,
        plan: Plan,
        with_members: bool,
        if_match: Option<&EntityTags>,
    ) -> Result<ScimGroup, BridgeError> {
        let _guard = self.inner.locks.lock(&format!("group:{id}")).await;
        let mut head = self.group_head(Some(ctx), id).await?;
        head.ensure_writable()?;
        if if_match.is_some() {
            let current = self.with_times(head.to_scim(Vec::new())).await?;
            Self::check_group_version(&current, if_match)?;
        }
        if let Some(n) = &plan.name {
            limits::check_group_name(n)?;
        }
        if let Some(Some(x)) = &plan.external_id {
            limits::check_external_id(x)?;
        }
        let new_name = plan.name.filter(|n| *n != head.name);
        let new_ext = plan.external_id.filter(|x| *x != head.external_id);
        let map = self.id_map().await?;
        let delta = self.resolve_members(ctx, id, &plan.steps, &map).await?;
        let changes = new_name.is_some()
            || new_ext.is_some()
            || !delta.add.is_empty()
            || !delta.remove.is_empty();
        if new_name.is_some() || new_ext.is_some() {
            let mut arg = GroupUpdateArgs::new(selector(id)).with_return_members(false);
            if let Some(n) = new_name {
                arg = arg.with_new_group_name(n);
            }
            if let Some(x) = new_ext {
                arg = arg.with_new_group_external_id(x.unwrap_or_default());
            }
            let res = self.dropbox_for(ctx).groups_update(&arg).await;
            head = GroupHead::from(&res.map_err(from_dropbox)?);
            self.group_names().put(&head.id, &head.name);
        }
        self.change_members(ctx, id, &delta.add, &delta.remove)
            .await?;
        self.roles_after_group_change(ctx, &head.name, &delta.add, &delta.remove)
            .await?;
        if changes {
            self.touch_group(id).await?;
        }
        if !with_members {
            return self.with_times(head.to_scim(Vec::new())).await;
        }
        let members = self.group_members(Some(ctx), id).await?;
        self.with_times(head.to_scim(map.render(members))).await
    }
}
