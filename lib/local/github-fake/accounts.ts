/**
 * GitHub's `simple-user` object, as the REST API embeds an account (an installation's `account`,
 * a deployment's `creator`): every member the OpenAPI description requires, with the URLs GitHub
 * derives from the login.
 */
export function simpleUser(login: string, id: number, type: "User" | "Organization" | "Bot"): Record<string, unknown> {
  const api = `https://api.github.com/${type === "Organization" ? "orgs" : "users"}/${login}`;
  const user = `https://api.github.com/users/${login}`;
  return {
    login,
    id,
    node_id: Buffer.from(`04:${type}${id}`).toString("base64").replace(/=+$/, ""),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: "",
    url: api,
    html_url: `https://github.com/${login}`,
    followers_url: `${user}/followers`,
    following_url: `${user}/following{/other_user}`,
    gists_url: `${user}/gists{/gist_id}`,
    starred_url: `${user}/starred{/owner}{/repo}`,
    subscriptions_url: `${user}/subscriptions`,
    organizations_url: `${user}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${user}/events{/privacy}`,
    received_events_url: `${user}/received_events`,
    type,
    user_view_type: "public",
    site_admin: false,
  };
}
