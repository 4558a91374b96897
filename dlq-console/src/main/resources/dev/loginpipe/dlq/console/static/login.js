// The sign-in form: sends the name and password (or the token, without a name) once; the console answers with a
// session cookie (HttpOnly, SameSite=Strict) that holds a random session id.
const form = document.getElementById('login');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = document.getElementById('name').value.trim();
  const password = document.getElementById('password').value;
  const response = await fetch('/api/login', {
    method: 'POST',
    headers: {'Content-Type': 'application/json', 'X-Console-Request': '1'},
    body: JSON.stringify(name ? {name, password} : {token: password}),
  });
  if (response.ok) {
    location.href = '/';
    return;
  }
  const body = await response.json().catch(() => ({}));
  const error = document.getElementById('error');
  error.textContent = body.error ? body.error.charAt(0).toUpperCase() + body.error.slice(1) + '.'
    : 'Sign-in failed (' + response.status + ').';
  error.hidden = false;
});
