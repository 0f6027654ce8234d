//! Member look-ups and batched membership changes.

use std::collections::{BTreeSet, HashMap};

use super::{BATCH, selector};
use crate::bridge::Bridge;
use crate::bridge::audit::WriteContext;
use crate::bridge::errors::{BridgeError, from_dropbox};
use crate::dropbox::team::{
    GroupAccessType, GroupMembersAddArg, GroupMembersRemoveArg, MemberAccess, MembersGetInfoItemV2,
    MembersGetInfoV2Arg, TeamMemberStatus, UserSelectorArg,
};
use crate::scim::error::ScimError;

/// What a membership change needs to know of one team member.
#[derive(Debug, Clone)]
pub(super) struct TeamMember {
    /// The ids of the groups the member belongs to.
    pub groups: Vec<String>,
}

/// How many unknown ids an error message names before it only counts.
const NAMED_IN_ERROR: usize = 20;

fn name_ids(ids: &[&String]) -> String {
    let named: Vec<&str> = ids
        .iter()
        .take(NAMED_IN_ERROR)
        .map(|s| s.as_str())
        .collect();
    let more = ids.len().saturating_sub(NAMED_IN_ERROR);
    if more > 0 {
        format!("{} and {more} more", named.join(", "))
    } else {
        named.join(", ")
    }
}

impl Bridge {
    /// 400 `invalidValue` naming the ids that are not members of the team, and saying which of them
    /// are users deactivated before they accepted their invitation (withdrawn, so not in Dropbox).
    pub(super) async fn unknown_members_error(&self, unknown: &[&String]) -> BridgeError {
        let mut withdrawn = Vec::new();
        let mut others = Vec::new();
        // Only the ids the message names are looked up: one store query each.
        for (i, id) in unknown.iter().enumerate() {
            let invite = if i < NAMED_IN_ERROR {
                self.store().get_inactive_invite(id).await.ok().flatten()
            } else {
                None
            };
            if invite.is_some() {
                withdrawn.push(*id);
            } else {
                others.push(*id);
            }
        }
        let mut parts = Vec::new();
        if !others.is_empty() {
            parts.push(format!("unknown: {}", name_ids(&others)));
        }
        if !withdrawn.is_empty() {
            parts.push(format!(
                "deactivated before accepting their invitation, so not in the Dropbox team \
                 (reactivate them first): {}",
                name_ids(&withdrawn)
            ));
        }
        ScimError::invalid_value(format!(
            "members.value must name Dropbox team members; {}",
            parts.join("; ")
        ))
        .into()
    }

    /// Looks team members up by `team_member_id` (`members/get_info_v2`, one call per batch).
    /// Only active, invited and suspended members are returned; removed ones count as unknown.
    pub(super) async fn lookup_members(
        &self,
        ctx: Option<&WriteContext>,
        ids: &BTreeSet<String>,
    ) -> Result<HashMap<String, TeamMember>, BridgeError> {
        // Anything but a `dbmid:` id cannot name a team member; Dropbox is not asked about it.
        let ids: Vec<&String> = ids
            .iter()
            .filter(|id| id.starts_with("dbmid:") && (7..=128).contains(&id.len()))
            .collect();
        let mut found = HashMap::new();
        for chunk in ids.chunks(BATCH) {
            let arg = MembersGetInfoV2Arg::new(
                chunk
                    .iter()
                    .map(|id| UserSelectorArg::TeamMemberId((*id).clone()))
                    .collect(),
            );
            let res = self.dropbox_for(ctx).members_get_info_v2(&arg).await;
            for item in res.map_err(from_dropbox)?.members_info {
                if let MembersGetInfoItemV2::MemberInfo(info) = item {
                    let p = info.profile;
                    if matches!(p.status, TeamMemberStatus::Removed(_)) {
                        continue;
                    }
                    found.insert(p.team_member_id.clone(), TeamMember { groups: p.groups });
                }
            }
        }
        // Users deactivated before accepting their invitation are not in Dropbox, but they are
        // users the IdP may put in groups: the bridge holds those memberships itself.
        let invitees = self.invitee_ids().await?;
        let missing: Vec<&String> = ids
            .iter()
            .copied()
            .filter(|id| !found.contains_key(*id))
            .collect();
        for id in missing {
            if invitees.contains(id) {
                let groups = self.store().held_groups_of_user(id).await?;
                found.insert(id.clone(), TeamMember { groups });
            }
        }
        Ok(found)
    }

    /// The SCIM ids of users deactivated while invited.
    pub(super) async fn invitee_ids(&self) -> Result<BTreeSet<String>, BridgeError> {
        Ok(self
            .store()
            .list_inactive_invites()
            .await?
            .into_iter()
            .map(|i| i.scim_id)
            .collect())
    }

    /// Looks up `ids` and fails with 400 naming those that are not team members.
    pub(super) async fn require_members(
        &self,
        ctx: Option<&WriteContext>,
        ids: &BTreeSet<String>,
    ) -> Result<HashMap<String, TeamMember>, BridgeError> {
        let found = self.lookup_members(ctx, ids).await?;
        let unknown: Vec<&String> = ids.iter().filter(|id| !found.contains_key(*id)).collect();
        if unknown.is_empty() {
            Ok(found)
        } else {
            Err(self.unknown_members_error(&unknown).await)
        }
    }

    /// Adds and removes members in batches. `add` must hold no current member and `remove` only
    /// current members; should the group have changed meanwhile (or a retried call have succeeded
    /// unseen), `duplicate_user` / `member_not_in_group` make the batch be re-checked and re-sent.
    pub(super) async fn change_members(
        &self,
        ctx: &WriteContext,
        gid: &str,
        add: &BTreeSet<String>,
        remove: &BTreeSet<String>,
    ) -> Result<(), BridgeError> {
        let invitees = self.invitee_ids().await?;
        for id in add.intersection(&invitees) {
            self.store().add_held_membership(gid, id).await?;
        }
        for id in remove.intersection(&invitees) {
            self.store().remove_held_membership(gid, id).await?;
        }
        let add: Vec<String> = add.difference(&invitees).cloned().collect();
        for chunk in add.chunks(BATCH) {
            if let Err(e) = self.add_batch(ctx, gid, chunk).await {
                if !e.has_tag("duplicate_user") {
                    return Err(from_dropbox(e));
                }
                let wanted = chunk.iter().cloned().collect();
                let now = self.lookup_members(Some(ctx), &wanted).await?;
                let rest: Vec<String> = chunk
                    .iter()
                    .filter(|id| {
                        now.get(*id)
                            .is_some_and(|m| !m.groups.iter().any(|g| g == gid))
                    })
                    .cloned()
                    .collect();
                if !rest.is_empty() {
                    self.add_batch(ctx, gid, &rest)
                        .await
                        .map_err(from_dropbox)?;
                }
            }
        }
        let remove: Vec<String> = remove.difference(&invitees).cloned().collect();
        for chunk in remove.chunks(BATCH) {
            if let Err(e) = self.remove_batch(ctx, gid, chunk).await {
                if !e.has_tag("member_not_in_group") {
                    return Err(from_dropbox(e));
                }
                let wanted = chunk.iter().cloned().collect();
                let now = self.lookup_members(Some(ctx), &wanted).await?;
                let rest: Vec<String> = chunk
                    .iter()
                    .filter(|id| {
                        now.get(*id)
                            .is_some_and(|m| m.groups.iter().any(|g| g == gid))
                    })
                    .cloned()
                    .collect();
                if !rest.is_empty() {
                    self.remove_batch(ctx, gid, &rest)
                        .await
                        .map_err(from_dropbox)?;
                }
            }
        }
        Ok(())
    }

    async fn add_batch(
        &self,
        ctx: &WriteContext,
        gid: &str,
        ids: &[String],
    ) -> Result<(), crate::dropbox::DropboxError<crate::dropbox::team::GroupMembersAddError>> {
        let members = ids
            .iter()
            .map(|id| {
                MemberAccess::new(
                    UserSelectorArg::TeamMemberId(id.clone()),
                    GroupAccessType::Member,
                )
            })
            .collect();
        let arg = GroupMembersAddArg::new(selector(gid), members).with_return_members(false);
        let res = self.dropbox_for(ctx).groups_members_add(&arg).await;
        res.map(|_| ())
    }

    async fn remove_batch(
        &self,
        ctx: &WriteContext,
        gid: &str,
        ids: &[String],
    ) -> Result<(), crate::dropbox::DropboxError<crate::dropbox::team::GroupMembersRemoveError>>
    {
        let users = ids
            .iter()
            .map(|id| UserSelectorArg::TeamMemberId(id.clone()))
            .collect();
        let arg = GroupMembersRemoveArg::new(selector(gid), users).with_return_members(false);
        let res = self.dropbox_for(ctx).groups_members_remove(&arg).await;
        res.map(|_| ())
    }
}
