// A form that comes back with errors takes the keyboard to their summary, whose links lead to
// the fields; without this the focus starts at the top of the page and a screen reader may not
// announce the summary at all.
const summary = document.getElementById("error-summary");
if (summary) summary.focus();
