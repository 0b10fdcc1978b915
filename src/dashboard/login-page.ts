/** The one page served without a token: a form that posts the token once and gets it back as an HttpOnly cookie. */
export function loginPage(message?: string): string {
  const note = message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in · ari-dialer</title>
<link rel="stylesheet" href="/app.css">
</head>
<body class="login">
<main>
<h1>ari-dialer</h1>
<form method="post" action="/login" class="card">
${note}
<label for="token">Dashboard token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Log in</button>
<p class="hint">An operator token (DASHBOARD_TOKEN) may change campaigns; a viewer token (DASHBOARD_VIEWER_TOKEN) may only look.</p>
</form>
</main>
</body>
</html>
`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
