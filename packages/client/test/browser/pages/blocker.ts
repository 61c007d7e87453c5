// Holds an IndexedDB database open the way an older version of an app might: it never closes its
// connection when another tab needs to upgrade the database, so that upgrade stays blocked.
const name = new URLSearchParams(location.search).get('name') ?? 'landed-test';
const request = indexedDB.open(name, 1);
request.onupgradeneeded = () => request.result.createObjectStore('older-app-data');
request.onsuccess = () => {
  request.result.onversionchange = () => {
    document.title = 'asked to close';
  };
  document.title = 'ready';
};
