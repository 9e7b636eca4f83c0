/* global document, location, window */
// The offline page retries by itself: every 10 s, and at once when the browser says it is online again. (It is
// shown at the address that was asked for, so a reload opens that page of the console.)
(function () {
  var status = document.getElementById('status');
  var tries = 0;
  function retry() {
    fetch('/console/', { cache: 'no-store' })
      .then(function (res) {
        if (res.ok) location.reload();
      })
      .catch(function () {
        tries += 1;
        if (status) status.textContent = '仍无法连接（已重试 ' + tries + ' 次），稍后自动重试……';
      });
  }
  setInterval(retry, 10000);
  window.addEventListener('online', retry);
})();
