// The static site's kernel start, with the started interpreter kept for the next page.
//
// `repairlab build-site` ships this file as the site's `pyodide.js` (and Pyodide's own as
// `@PYODIDE_RUNTIME_JS@`), so the Pyodide kernel's web worker loads it and calls its
// `loadPyodide` (repairlab/serving/site.py, KERNEL_START). Starting Python is all CPU and
// was redone on every page: the runtime, the preloaded packages and IPython's import, ~4.5 s
// of CPU on a 2-core machine (bench/README.md). So the first page this browser opens keeps a
// memory snapshot of the interpreter as the kernel's start leaves it (pyodide_kernel
// imported, no cell run yet) in the browser's Cache Storage, and every later page starts
// from that snapshot (Pyodide's experimental `makeMemorySnapshot` / `_loadSnapshot`); the
// packages' files are unpacked again as before (a snapshot holds the memory, not the files).
//
// The snapshot is named after the site's build (SITE_BUILD, written in by build-site from the
// lock with every wheel's sha256, the kernel's version and this file): a rebuilt site never
// starts from an old snapshot, and older ones are deleted when a new one is kept. Where Cache
// Storage is missing (a page served over plain http from another host) or a snapshot cannot
// be read, made or restored, the kernel starts as it did before, from scratch.
(function () {
  "use strict";

  var SITE_BUILD = "@SITE_BUILD@";
  var CACHE = "repairlab-kernel-snapshot";

  function snapshotUrl(indexURL) {
    return new URL("kernel-" + SITE_BUILD + ".snapshot", indexURL).href;
  }

  // Each snapshot is kept with the SHA-256 of its bytes and used only if they still match:
  // Pyodide hangs (it does not fail) on a damaged snapshot, and a page that never starts is
  // worse than one that starts from scratch. Cache Storage and crypto.subtle are both for
  // secure contexts only, so where one is there the other is too.
  var DIGEST_HEADER = "X-RepairLab-SHA256";

  async function sha256(bytes) {
    var digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    return Array.prototype.map.call(digest, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  async function readSnapshot(url) {
    if (!self.caches || !self.crypto || !crypto.subtle) return null;
    try {
      var cache = await caches.open(CACHE);
      var found = await cache.match(url);
      if (!found) return null;
      var bytes = new Uint8Array(await found.arrayBuffer());
      var expected = found.headers.get(DIGEST_HEADER);
      if (!expected || expected !== await sha256(bytes)) {
        console.warn("RepairLab: the kernel snapshot kept here is damaged; starting afresh");
        await cache.delete(url);
        return null;
      }
      return bytes;
    } catch (error) {
      console.warn("RepairLab: no kernel snapshot read", error);
      return null;
    }
  }

  async function keepSnapshot(url, snapshot) {
    try {
      var cache = await caches.open(CACHE);
      var stale = (await cache.keys()).filter(function (request) { return request.url !== url; });
      await Promise.all(stale.map(function (request) { return cache.delete(request); }));
      var headers = { "Content-Type": "application/octet-stream" };
      headers[DIGEST_HEADER] = await sha256(snapshot);
      await cache.put(url, new Response(snapshot, { headers: headers }));
    } catch (error) {
      console.warn("RepairLab: the kernel snapshot was not kept", error);
    }
  }

  async function forgetSnapshot(url) {
    try {
      await (await caches.open(CACHE)).delete(url);
    } catch (error) { /* nothing kept, nothing to forget */ }
  }

  // The interpreter holds two JavaScript objects after the kernel's start: Pyodide's own API
  // and its loadPackagesFromImports (pyodide_kernel imports it). A snapshot names them; a
  // restored interpreter gets stand-ins that reach the new Pyodide's, once it exists.
  function serializer(api) {
    return function (object) {
      if (object === api) return "pyodide";
      var names = Object.getOwnPropertyNames(api);
      for (var i = 0; i < names.length; i++) {
        if (api[names[i]] === object) return "pyodide." + names[i];
      }
      throw new Error("RepairLab: the kernel snapshot cannot name " + object);
    };
  }

  function deserializer(pyodide) {
    return function (name) {
      if (name === "pyodide") {
        return new Proxy({}, { get: function (_, key) { return pyodide.current[key]; } });
      }
      var key = name.slice("pyodide.".length);
      return function () { return pyodide.current[key].apply(pyodide.current, arguments); };
    };
  }

  function makeSnapshot(pyodide) {
    // Pyodide's snapshot expects no package loaded through its loader: the record of loaded
    // packages is left out for that moment (a restored kernel loads them again, which puts
    // their files back).
    var loaded = Object.assign({}, pyodide.loadedPackages);
    Object.keys(loaded).forEach(function (name) { delete pyodide.loadedPackages[name]; });
    try {
      return pyodide.makeMemorySnapshot({ serializer: serializer(pyodide) });
    } finally {
      Object.assign(pyodide.loadedPackages, loaded);
    }
  }

  // Once the kernel's start has imported pyodide_kernel (the worker's last runPythonAsync
  // before any cell), the interpreter is as every page's kernel starts: kept then.
  function keepAfterKernelStart(pyodide, url) {
    var run = pyodide.runPythonAsync;
    pyodide.runPythonAsync = async function (code) {
      var result = await run.apply(this, arguments);
      if (typeof code === "string" && code.indexOf("import pyodide_kernel") !== -1) {
        pyodide.runPythonAsync = run;
        try {
          keepSnapshot(url, makeSnapshot(pyodide));
        } catch (error) {
          console.warn("RepairLab: no kernel snapshot made", error);
        }
      }
      return result;
    };
  }

  async function loadPyodideKept(options) {
    importScripts(new URL("@PYODIDE_RUNTIME_JS@", options.indexURL).href);
    var loadPyodide = self.loadPyodide;
    self.loadPyodide = loadPyodideKept;
    var url = snapshotUrl(options.indexURL);
    var snapshot = await readSnapshot(url);
    if (snapshot) {
      var restored = { current: null };
      try {
        restored.current = await loadPyodide(Object.assign({}, options, {
          _loadSnapshot: snapshot, _snapshotDeserializer: deserializer(restored) }));
        console.info("RepairLab: Python started from this browser's snapshot (" + SITE_BUILD +
                     ")");
        return restored.current;
      } catch (error) {
        console.warn("RepairLab: the kernel snapshot could not be restored; starting afresh",
                     error);
        await forgetSnapshot(url);
      }
    }
    if (!self.caches || !self.crypto || !crypto.subtle) return loadPyodide(options);
    var pyodide = await loadPyodide(Object.assign({}, options, { _makeSnapshot: true }));
    keepAfterKernelStart(pyodide, url);
    return pyodide;
  }

  self.loadPyodide = loadPyodideKept;
})();
