//! The Dropbox admin role read back in SCIM `roles` (`[roles]` on), so that an IdP sees what it set.

use serde_json::{Map, Value, json};

use super::admin_role::held_role;
use crate::bridge::Bridge;
use crate::config::AdminRole;
use crate::dropbox::team::TeamMemberRole;
use crate::scim::resource::ScimUser;

impl Bridge {
    /// Shows the Dropbox role in `roles`: values that name a role give way to the role held (the
    /// IdP's own item when it names that role), other values stay as stored.
    pub(crate) fn show_admin_role(&self, user: &mut ScimUser, roles: Option<&[TeamMemberRole]>) {
        let cfg = self.roles_config();
        let Some(roles) = roles.filter(|_| cfg.enabled) else {
            return;
        };
        let held = held_role(roles);
        let items = match user.stored.get("roles") {
            Some(Value::Array(items)) => items.clone(),
            _ => Vec::new(),
        };
        let value_of = |i: &Value| match i {
            Value::Object(o) => o.get("value").and_then(Value::as_str).map(str::to_owned),
            Value::String(s) => Some(s.clone()),
            _ => None,
        };
        let mut shown = false;
        let mut kept = Vec::new();
        for item in items {
            match value_of(&item).and_then(|v| cfg.role_of_value(&v)) {
                None => kept.push(item),
                Some(r) if r == held && r != AdminRole::MemberOnly && !shown => {
                    shown = true;
                    kept.push(item);
                }
                Some(_) => {}
            }
        }
        if !shown && held != AdminRole::MemberOnly {
            let display = roles
                .iter()
                .find(|r| AdminRole::parse(&r.name) == Some(held));
            let mut item = Map::new();
            item.insert("value".into(), json!(held.as_str()));
            if let Some(d) = display {
                item.insert("display".into(), json!(d.name));
            }
            kept.push(Value::Object(item));
        }
        if kept.is_empty() && !user.stored.contains_key("roles") {
            return;
        }
        user.stored.insert("roles".to_owned(), Value::Array(kept));
    }
}
