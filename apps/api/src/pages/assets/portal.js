// The portal pages' only script. Loaded in <head> without defer, so that its first lines run
// before anything else: the emailed token leaves the address bar (and this history entry)
// before the page is even shown. Everything else only helps; the forms work without it.
(function () {
  'use strict';

  var params = new URLSearchParams(window.location.search);
  if (params.has('token')) {
    params.delete('token');
    var rest = params.toString();
    window.history.replaceState(null, '', window.location.pathname + (rest ? '?' + rest : '') + window.location.hash);
  }

  // The same rules as the API, checked as the person types; the API has the last word
  // (it also refuses the most common passwords, which this script does not know).
  var MIN_LENGTH = 10;

  function passwordProblem(password, repeat, messages) {
    var characters = Array.from(password);
    if (characters.length > 0 && characters.length < MIN_LENGTH) return { field: 'password', text: messages.tooShort };
    if (characters.length >= MIN_LENGTH && characters.every(function (c) { return c === characters[0]; })) return { field: 'password', text: messages.repeats };
    if (repeat.length > 0 && repeat !== password) return { field: 'password-repeat', text: messages.differ };
    return null;
  }

  function setUpNewPasswordForm(form) {
    var password = form.querySelector('#password');
    var repeat = form.querySelector('#password-repeat');
    var check = form.querySelector('#password-check');
    if (!password || !repeat || !check) return;
    var messages = { tooShort: check.dataset.tooShort, differ: check.dataset.differ, repeats: check.dataset.repeats };
    repeat.setAttribute('aria-describedby', 'password-check');

    function mark(input, invalid) {
      if (invalid) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }

    function show(problem) {
      check.textContent = problem ? problem.text : '';
      mark(password, !!problem && problem.field === 'password');
      mark(repeat, !!problem && problem.field === 'password-repeat');
    }

    // Tell while typing only once the person has left a field, not at the first keystroke.
    var touched = false;
    password.addEventListener('blur', function () { touched = true; show(passwordProblem(password.value, repeat.value, messages)); });
    repeat.addEventListener('blur', function () { touched = true; show(passwordProblem(password.value, repeat.value, messages)); });
    [password, repeat].forEach(function (input) {
      input.addEventListener('input', function () { if (touched) show(passwordProblem(password.value, repeat.value, messages)); });
    });

    form.addEventListener('submit', function (event) {
      var problem = passwordProblem(password.value, repeat.value, messages);
      if (!problem && repeat.value !== password.value) problem = { field: 'password-repeat', text: messages.differ };
      if (problem) {
        event.preventDefault();
        show(problem);
        (problem.field === 'password' ? password : repeat).focus();
      }
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    Array.prototype.forEach.call(document.querySelectorAll('form[data-new-password]'), setUpNewPasswordForm);
    // A problem the server found: move the focus to it, so that it is read first.
    var problem = document.getElementById('problem');
    if (problem) problem.focus();
  });
})();
