// The login form: sends the token once; the console answers with an HttpOnly, SameSite=Strict cookie.
const form = document.getElementById('login');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const response = await fetch('/api/login', {
    method: 'POST',
    headers: {'Content-Type': 'application/json', 'X-Console-Request': '1'},
    body: JSON.stringify({token: document.getElementById('token').value}),
  });
  if (response.ok) {
    location.href = '/';
    return;
  }
  const error = document.getElementById('error');
  error.textContent = response.status === 401 ? 'Wrong token.' : 'Login failed (' + response.status + ').';
  error.hidden = false;
});
