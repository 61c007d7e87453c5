// localforage's own build without its bundled Promise polyfill (`lie`): the same library, for
// platforms with a native Promise — every browser that has IndexedDB. Typed as the main entry.
declare module 'localforage/dist/localforage.nopromises.js' {
  import localforage from 'localforage';
  export default localforage;
}
