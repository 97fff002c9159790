// The admin page: every request carries the token in the Authorization header (kept in
// this tab's sessionStorage, never in a URL); every text from the server is put in the
// page with textContent / value only (uploaded documents are untrusted).
(function () {
  "use strict";
  var KEY = "botAdminToken";
  var meta = null; // what /session offers: statuses, condition types, topics
  var current = null; // the view on show: {kind, key, ...}

  function $(id) { return document.getElementById(id); }

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (name) {
      var value = props[name];
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else if (name === "on") Object.keys(value).forEach(function (ev) { node.addEventListener(ev, value[ev]); });
      else if (name.indexOf("data-") === 0 || name.indexOf("aria-") === 0) node.setAttribute(name, value);
      else node[name] = value;
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) node.append(child);
    });
    return node;
  }

  function say(text, kind) {
    var status = $("status");
    status.textContent = text;
    status.className = kind || "";
  }

  function token() { return sessionStorage.getItem(KEY) || ""; }

  async function call(method, path, body) {
    var headers = { "Authorization": "Bearer " + token() };
    var init = { method: method, headers: headers, cache: "no-store", credentials: "omit" };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    var response = await fetch("/admin/api" + path, init);
    var data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (response.status === 401) {
      sessionStorage.removeItem(KEY);
      showLogin();
    }
    if (!response.ok) {
      throw new Error((data && data.detail) || ("请求失败（HTTP " + response.status + "）"));
    }
    return data;
  }

  // Run an action with the page's buttons disabled; errors become the status line.
  async function busy(message, action) {
    var buttons = Array.prototype.slice.call(document.querySelectorAll("#desk button"));
    buttons.forEach(function (b) { b.disabled = true; });
    say(message, "busy");
    try {
      return await action();
    } catch (err) {
      say(err.message, "error");
      return null;
    } finally {
      buttons.forEach(function (b) { b.disabled = false; });
    }
  }

  // ------------------------------------------------------------------ login
  function showLogin() {
    $("desk").hidden = true;
    $("logout").hidden = true;
    $("login").hidden = false;
  }

  async function enter() {
    try {
      meta = await call("GET", "/session");
    } catch (err) {
      say(err.message, "error");
      return;
    }
    $("login").hidden = true;
    $("desk").hidden = false;
    $("logout").hidden = false;
    fillSelect($("up-status"), meta.statuses, "自动识别");
    say("", "");
    await loadLibrary();
  }

  function fillSelect(select, values, empty) {
    select.textContent = "";
    if (empty !== undefined) select.append(el("option", { value: "", text: empty }));
    values.forEach(function (v) {
      var value = typeof v === "string" ? v : v.value;
      select.append(el("option", { value: value, text: typeof v === "string" ? v : v.label }));
    });
  }

  // ------------------------------------------------------------------ library
  async function loadLibrary() {
    var lib;
    try { lib = await call("GET", "/library"); } catch (err) { say(err.message, "error"); return; }
    var drafts = $("drafts").tBodies[0];
    drafts.textContent = "";
    lib.drafts.forEach(function (d) {
      drafts.append(el("tr", { "data-draft": d.id }, [
        el("td", { text: d.title }), el("td", { text: d.filename }), el("td", { text: d.region_key }),
        el("td", { text: d.status }), el("td", { text: d.uploaded_at.replace("T", " ").slice(0, 16) }),
        el("td", {}, [
          el("button", { type: "button", text: "查看", on: { click: function () { open("drafts", d.id); } } }), " ",
          el("button", { type: "button", class: "danger", text: "放弃", on: { click: function () { discard(d.id); } } })])]));
    });
    if (!lib.drafts.length) drafts.append(el("tr", {}, [el("td", { colSpan: 6, class: "empty", text: "没有待发布的草稿" })]));
    var docs = $("documents").tBodies[0];
    docs.textContent = "";
    lib.documents.forEach(function (d) {
      var note = d.superseded_by ? "已被 " + d.superseded_by + " 取代" : (d.supersedes ? "取代 " + d.supersedes : "");
      if (!d.editable) note = (note ? note + "；" : "") + "随项目提供";
      docs.append(el("tr", { "data-doc": d.id }, [
        el("td", { text: d.id }), el("td", { text: d.title }), el("td", { text: d.status }), el("td", { text: d.region_key }),
        el("td", { text: String(d.measures) }), el("td", { text: String(d.sites) }), el("td", { text: String(d.unreviewed) }),
        el("td", { text: note }),
        el("td", {}, [
          el("button", { type: "button", text: "查看", on: { click: function () { open("documents", d.id); } } }),
          d.editable ? " " : null,
          d.editable ? el("button", { type: "button", class: "danger", text: "删除",
                                      on: { click: function () { removeDocument(d.id); } } }) : null])]));
    });
    fillSelect($("up-supersedes"), lib.documents.filter(function (d) { return !d.superseded_by; })
      .map(function (d) { return { value: d.id, label: d.id + " · " + d.title }; }), "无");
  }

  async function open(kind, key) {
    await busy("正在读取…", async function () {
      render(await call("GET", "/" + kind + "/" + encodeURIComponent(key)));
      $("detail").scrollIntoView();
      say("", "");
    });
  }

  // ------------------------------------------------------------------ upload
  async function upload(event) {
    event.preventDefault();
    var file = $("file").files[0];
    if (!file) { say("请选择要上传的文件", "error"); return; }
    if (meta && file.size > meta.max_upload_bytes) {
      say("文件太大（上限 " + Math.floor(meta.max_upload_bytes / 1048576) + " MB）", "error");
      return;
    }
    var form = new FormData();
    form.append("file", file, file.name);
    ["region", "parent", "status", "supersedes"].forEach(function (name) {
      var value = $("upload-form").elements[name].value.trim();
      if (value) form.append(name, value);
    });
    await busy("正在识别 " + file.name + " …", async function () {
      var view = await call("POST", "/uploads", form);
      render(view);
      $("detail").scrollIntoView();
      $("upload-form").reset();
      say("已生成草稿：请核对下方的文件信息、条款和草拟条目，然后点“发布”。", "ok");
      await loadLibrary();
    });
  }

  // ------------------------------------------------------------------ one document
  var FIELDS = [["title", "标题"], ["issuer", "发文单位"], ["doc_number", "文号"], ["date", "日期"], ["status", "状态"],
                ["region", "地区"], ["validity", "施行日期与有效期"]];

  function render(view) {
    current = view;
    var box = $("detail");
    box.textContent = "";
    box.hidden = false;
    var doc = view.document;
    var isDraft = view.kind === "draft";
    box.append(el("h2", { text: (isDraft ? "草稿：" : "已发布：") + doc.title }));
    if (isDraft) {
      box.append(el("p", { class: "hint", text: "文件 " + view.draft.filename + " · 文档 id " + doc.id +
                                             " · 草稿发布前不会用于回答" }));
    } else if (!view.editable) {
      box.append(el("p", { class: "hint", text: "随项目提供的文档：条目在 measures.yaml / sites.yaml 中手工维护，这里只能查看。" }));
    }
    box.append(metaForm(view));
    if (isDraft && view.draft.review.length) {
      box.append(el("h3", { text: "请人工核对" }));
      box.append(el("ul", { id: "review" }, view.draft.review.map(function (line) { return el("li", { text: line }); })));
    }
    if (isDraft && (view.draft.doubts || []).length) {
      box.append(el("h3", { text: "疑点（" + view.draft.doubts.length + " 处）：有疑点的条目在审核前不用于回答" }));
      box.append(el("ul", { class: "doubts", id: "doubts" }, view.draft.doubts.map(function (d) {
        return el("li", { text: d.label + "：" + d.detail + (d.text ? " — " + d.text : "") +
                                (d.rows.length ? "（暂不回答：" + d.rows.join("、") + "）" : "") });
      })));
    }
    if (isDraft && (view.draft.dropped || []).length) {
      box.append(el("h3", { text: "原件中看不见的文字（" + view.draft.dropped.length + " 处，已删去，不会发布）" }));
      box.append(el("ul", { class: "doubts", id: "dropped" }, view.draft.dropped.map(function (d) {
        return el("li", { text: d.text + "（" + d.reason + "）" + (d.context ? " — 所在段落：" + d.context : "") });
      })));
    }
    if (view.problems.length) {
      box.append(el("h3", { text: "检查结果" }));
      box.append(el("ul", { class: "problems", id: "problems" }, view.problems.map(function (p) {
        return el("li", { class: p.severity, text: (p.severity === "error" ? "错误 " : "提醒 ") + p.where + "：" + p.message });
      })));
    }
    var tree = el("details", { open: isDraft }, [el("summary", { text: "条款（" + view.clause_count + " 条）" }),
      el("ol", { class: "tree", id: "clauses" }, view.clauses.map(function (line) { return el("li", { text: line }); }))]);
    box.append(tree);
    box.append(el("h3", { text: "措施（" + view.measures.length + " 条，待审 " +
      view.measures.filter(function (m) { return !m.reviewed; }).length + "，暂不回答 " +
      view.measures.filter(function (m) { return m.held; }).length + "）" }));
    box.append(measureTable(view));
    box.append(el("h3", { text: "拍摄基地（" + view.sites.length + " 处）" }));
    box.append(siteTable(view));
    var actions = el("div", { class: "actions" });
    if (view.editable && view.unreviewed) {
      actions.append(el("button", { type: "button", id: "review-all", text: "全部标记为已审核",
                                    on: { click: reviewAll } }));
    }
    if (isDraft) {
      actions.append(el("button", { type: "button", class: "primary", id: "publish", text: "发布",
                                    on: { click: publish } }));
      actions.append(el("button", { type: "button", class: "danger", text: "放弃草稿",
                                    on: { click: function () { discard(view.key); } } }));
    } else if (view.editable) {
      actions.append(el("button", { type: "button", class: "danger", id: "remove", text: "删除文档",
                                    on: { click: function () { removeDocument(view.key); } } }));
    }
    box.append(actions);
  }

  function path(view) { return "/" + (view.kind === "draft" ? "drafts" : "documents") + "/" + encodeURIComponent(view.key); }

  function metaForm(view) {
    var doc = view.document;
    var detected = (view.draft && view.draft.detected) || {};
    var form = el("form", { id: "meta-form" });
    var grid = el("div", { class: "fields" });
    FIELDS.forEach(function (pair) {
      var name = pair[0], label = pair[1], input;
      if (name === "status") {
        input = el("select", { id: "meta-status", name: name });
        fillSelect(input, meta.statuses);
        input.value = doc.status;
      } else {
        var value = name === "region" ? doc.region_key : (doc[name] || "");
        input = el("input", { id: "meta-" + name, name: name, value: value, maxLength: 300 });
      }
      input.disabled = !view.editable || (name === "region" && view.kind !== "draft");
      var tags = [];
      if ((detected.missing || []).indexOf(name) >= 0) tags.push(el("span", { class: "tag missing", text: "原文未找到" }));
      if ((detected.overridden || []).indexOf(name) >= 0) tags.push(el("span", { class: "tag given", text: "上传时指定" }));
      if (name === "status" && detected.status_reason) tags.push(el("span", { class: "tag", text: detected.status_reason }));
      if (name === "region") tags.push(el("span", { class: "tag", text: doc.region + (detected.region_how ? "；" + detected.region_how : "") }));
      grid.append(el("label", { htmlFor: input.id, text: label }), el("span", {}, [input].concat(tags)));
    });
    grid.append(el("span", { text: "办理部门" }), el("span", { text: (doc.offices || []).join("、") || "—" }));
    form.append(grid);
    if (view.editable) {
      form.append(el("button", { type: "submit", text: "保存文件信息" }));
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var changes = {};
        FIELDS.forEach(function (pair) {
          var name = pair[0], input = form.elements[name];
          var before = name === "region" ? doc.region_key : (doc[name] || "");
          if (!input.disabled && input.value.trim() !== before) changes[name] = input.value.trim();
        });
        if (!Object.keys(changes).length) { say("没有改动", "ok"); return; }
        if (changes.region && !window.confirm("更改地区会按新地区重新草拟条目，条目上的修改和审核标记会丢失。继续吗？")) return;
        busy("正在保存…", async function () {
          render(await call("PATCH", path(view), changes));
          say("文件信息已保存", "ok");
        });
      });
    }
    return form;
  }

  function conditionLine(c) {
    var label = c.confirm ? "需确认" : c.type + (c.value !== null && c.value !== "" ? "=" + [].concat(c.value).join("、") : "");
    return el("li", { class: c.confirm ? "confirm" : "", text: label + "：" + c.text });
  }

  function reviewTags(row) {
    // a row with a doubt answers only once reviewed: say so beside the box
    return [row.reviewed ? null : el("span", { class: "tag todo", text: "待审" }),
            row.held ? el("span", { class: "tag held", text: "暂不回答" }) : null,
            (row.doubts || []).length ? el("ul", { class: "doubts" }, row.doubts.map(function (d) {
              return el("li", { text: d }); })) : null];
  }

  function reviewedBox(view, row) {
    return el("input", { type: "checkbox", checked: row.reviewed, disabled: !view.editable, "aria-label": "已审核 " + row.id,
      on: { change: function (event) { saveRow(view, row.id, { reviewed: event.target.checked }); } } });
  }

  function measureTable(view) {
    var table = el("table", { id: "measures" }, [el("thead", {}, [el("tr", {}, ["已审核", "id", "条款", "名称", "金额 / 标准", "条件", "原文", ""]
      .map(function (h) { return el("th", { text: h }); }))])]);
    var body = el("tbody");
    view.measures.forEach(function (m) {
      var tr = el("tr", { "data-row": m.id }, [
        el("td", {}, [reviewedBox(view, m)].concat(reviewTags(m))),
        el("td", { text: m.id }), el("td", { text: m.clause }), el("td", { text: m.title }),
        el("td", { class: "money", text: m.money }),
        el("td", {}, [el("ul", { class: "conditions" }, m.conditions.map(conditionLine))]),
        el("td", { class: "quote", text: m.quote }),
        el("td", {}, view.editable ? [el("button", { type: "button", text: "修改",
          on: { click: function () { editMeasure(view, m, tr); } } })] : [])]);
      body.append(tr);
    });
    if (!view.measures.length) body.append(el("tr", {}, [el("td", { colSpan: 8, class: "empty", text: "没有草拟的措施" })]));
    table.append(body);
    return table;
  }

  function siteTable(view) {
    var table = el("table", { id: "sites" }, [el("thead", {}, [el("tr", {}, ["已审核", "id", "名称", "类型", "状态", "规模", "原文", ""]
      .map(function (h) { return el("th", { text: h }); }))])]);
    var body = el("tbody");
    view.sites.forEach(function (s) {
      var tr = el("tr", { "data-row": s.id }, [
        el("td", {}, [reviewedBox(view, s)].concat(reviewTags(s))),
        el("td", { text: s.id }), el("td", { text: s.name }), el("td", { text: s.type }), el("td", { text: s.status }),
        el("td", { text: s.capacity || "" }), el("td", { class: "quote", text: s.quote }),
        el("td", {}, view.editable ? [el("button", { type: "button", text: "修改",
          on: { click: function () { editSite(view, s, tr); } } })] : [])]);
      body.append(tr);
    });
    if (!view.sites.length) body.append(el("tr", {}, [el("td", { colSpan: 8, class: "empty", text: "没有草拟的拍摄基地" })]));
    table.append(body);
    return table;
  }

  function editorRow(tr, columns, grid, onSave) {
    var next = tr.nextElementSibling;
    if (next && next.classList.contains("editor")) { next.remove(); return; }
    var save = el("button", { type: "submit", class: "primary", text: "保存" });
    var cancel = el("button", { type: "button", text: "取消", on: { click: function () { row.remove(); } } });
    var form = el("form", {}, [grid, el("div", { class: "actions" }, [save, cancel])]);
    form.addEventListener("submit", function (event) { event.preventDefault(); onSave(); });
    var row = el("tr", { class: "editor" }, [el("td", { colSpan: columns }, [form])]);
    tr.after(row);
  }

  function field(grid, label, input) {
    grid.append(el("label", { htmlFor: input.id, text: label }), input);
    return input;
  }

  function editMeasure(view, m, tr) {
    var grid = el("div", { class: "fields" });
    var id = "edit-" + m.id + "-";
    var inputs = {
      title: field(grid, "名称", el("input", { id: id + "title", value: m.title })),
      amount: field(grid, "金额", el("input", { id: id + "amount", value: m.amount || "" })),
      cap: field(grid, "上限", el("input", { id: id + "cap", value: m.cap || "" })),
      ratio: field(grid, "比例", el("input", { id: id + "ratio", value: m.ratio || "" })),
      payment: field(grid, "拨付方式", el("input", { id: id + "payment", value: m.payment || "" })),
      topics: field(grid, "话题（、分隔）", el("input", { id: id + "topics", value: m.topics.join("、") }))
    };
    var conditions = el("div", {});
    m.conditions.forEach(function (c, i) {
      var type = el("select", { "aria-label": "条件类型 " + (i + 1) });
      fillSelect(type, meta.condition_types);
      type.value = c.type;
      var value = el("input", { "aria-label": "条件取值 " + (i + 1),
                                value: c.value === null || c.value === undefined ? "" : [].concat(c.value).join("、") });
      var drop = el("input", { type: "checkbox", "aria-label": "删除条件 " + (i + 1) });
      conditions.append(el("div", { class: "cond-edit", "data-text": c.text }, [type, value, el("span", { text: c.text }),
        el("label", {}, [drop, "删除"])]));
    });
    grid.append(el("span", { text: "条件" }), conditions);
    editorRow(tr, 8, grid, function () {
      var changes = {};
      Object.keys(inputs).forEach(function (name) {
        var value = inputs[name].value.trim();
        var before = name === "topics" ? m.topics.join("、") : (m[name] || "");
        if (value !== before) changes[name] = name === "topics" ? value.split(/[、,，\s]+/).filter(Boolean) : value;
      });
      var kept = [];
      Array.prototype.forEach.call(conditions.children, function (line) {
        var parts = line.querySelectorAll("select, input");
        if (!parts[2].checked) kept.push({ type: parts[0].value, value: parts[1].value, text: line.getAttribute("data-text") });
      });
      var original = m.conditions.map(function (c) {
        return { type: c.type, value: c.value === null ? "" : [].concat(c.value).join("、"), text: c.text };
      });
      if (JSON.stringify(kept) !== JSON.stringify(original)) changes.conditions = kept;
      if (!Object.keys(changes).length) { say("没有改动", "ok"); return; }
      saveRow(view, m.id, changes);
    });
  }

  function editSite(view, s, tr) {
    var grid = el("div", { class: "fields" });
    var id = "edit-" + s.id + "-";
    var status = el("select", { id: id + "status" });
    fillSelect(status, ["建成", "在建", "规划", "未说明"]);
    status.value = s.status;
    var inputs = {
      name: field(grid, "名称", el("input", { id: id + "name", value: s.name })),
      type: field(grid, "类型", el("input", { id: id + "type", value: s.type })),
      status: field(grid, "状态", status),
      capacity: field(grid, "规模", el("input", { id: id + "capacity", value: s.capacity || "" })),
      services: field(grid, "服务", el("input", { id: id + "services", value: s.services || "" })),
      topics: field(grid, "话题（、分隔）", el("input", { id: id + "topics", value: s.topics.join("、") }))
    };
    editorRow(tr, 8, grid, function () {
      var changes = {};
      Object.keys(inputs).forEach(function (name) {
        var value = inputs[name].value.trim();
        var before = name === "topics" ? s.topics.join("、") : (s[name] || "");
        if (value !== before) changes[name] = name === "topics" ? value.split(/[、,，\s]+/).filter(Boolean) : value;
      });
      if (!Object.keys(changes).length) { say("没有改动", "ok"); return; }
      saveRow(view, s.id, changes);
    });
  }

  function saveRow(view, rowId, changes) {
    var published = view.kind !== "draft";
    busy(published ? "正在保存并更新索引…" : "正在保存…", async function () {
      render(await call("PATCH", path(view) + "/rows/" + encodeURIComponent(rowId), changes));
      say("条目 " + rowId + " 已保存" + (published ? "，索引已更新" : ""), "ok");
      if (published) await loadLibrary();
    });
  }

  function reviewAll() {
    var view = current;
    busy("正在标记…", async function () {
      render(await call("POST", path(view) + "/review-all"));
      say("全部条目已标记为已审核", "ok");
      await loadLibrary();
    });
  }

  function publish() {
    var view = current;
    busy("正在发布并更新索引（只向量化新条款）…", async function () {
      var done = await call("POST", path(view) + "/publish");
      say("已发布 " + done.doc_id + "：索引已更新（新向量化 " + done.index.embedded + " 段，共用时 " + done.seconds +
          " 秒），聊天现在可以回答这份文件的问题。", "ok");
      await loadLibrary();
      render(await call("GET", "/documents/" + encodeURIComponent(done.doc_id)));
    });
  }

  function discard(draftId) {
    if (!window.confirm("放弃这份草稿？已做的修改会丢失。")) return;
    busy("正在放弃草稿…", async function () {
      await call("DELETE", "/drafts/" + encodeURIComponent(draftId));
      if (current && current.key === draftId) { $("detail").hidden = true; current = null; }
      say("草稿已放弃", "ok");
      await loadLibrary();
    });
  }

  function removeDocument(docId) {
    if (!window.confirm("删除文档 " + docId + "？删除后聊天不再用它回答（它取代的旧版本会恢复）。")) return;
    busy("正在删除并更新索引…", async function () {
      await call("DELETE", "/documents/" + encodeURIComponent(docId));
      if (current && current.key === docId) { $("detail").hidden = true; current = null; }
      say("已删除 " + docId + "，索引已更新", "ok");
      await loadLibrary();
    });
  }

  // ------------------------------------------------------------------ wiring
  document.addEventListener("DOMContentLoaded", function () {
    $("login-form").addEventListener("submit", function (event) {
      event.preventDefault();
      sessionStorage.setItem(KEY, $("token").value.trim());
      $("token").value = "";
      enter();
    });
    $("logout").addEventListener("click", function () {
      sessionStorage.removeItem(KEY);
      meta = null;
      current = null;
      $("detail").hidden = true;
      showLogin();
      say("已退出", "ok");
    });
    $("upload-form").addEventListener("submit", upload);
    if (token()) enter();
  });
})();
