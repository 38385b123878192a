/**
 * A browsable API reference that needs nothing from the internet: it reads the generated
 * OpenAPI document and lists every operation with its parameters, body and answers.
 */
export function apiDocsPage(specUrl: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>ocop-onboard API reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
header{background:#14532d;color:#fff;padding:16px 24px}main{max-width:980px;margin:auto;padding:16px 24px}
h2{border-bottom:2px solid #14532d;padding-bottom:4px;margin-top:32px}
details{background:#fff;border:1px solid #d4d4d4;border-radius:6px;margin:8px 0;padding:8px 12px}
summary{cursor:pointer;font-family:ui-monospace,monospace}
.m{display:inline-block;min-width:64px;font-weight:700}.get{color:#1d4ed8}.post{color:#15803d}.patch{color:#b45309}.delete{color:#b91c1c}.put{color:#7c3aed}
pre{background:#f4f4f5;padding:8px;overflow:auto;font-size:13px}
</style></head>
<body><header><h1>ocop-onboard API v1</h1><p>Generated from the zod schemas: <a style="color:#bbf7d0" href="${specUrl}">${specUrl}</a></p></header>
<main id="root">Loading…</main>
<script>
const esc=(s)=>String(s??'').replace(/[&<>"]/g,(ch)=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[ch]));
fetch(${JSON.stringify(specUrl)}).then(r=>r.json()).then(spec=>{
  const schemas=spec.components?.schemas??{};
  const deref=(s)=>s&&s.$ref?{...schemas[s.$ref.split('/').pop()],title:s.$ref.split('/').pop()}:s;
  const show=(s)=>'<pre>'+esc(JSON.stringify(deref(s),null,2))+'</pre>';
  const byTag={};
  for(const [path,ops] of Object.entries(spec.paths))for(const [method,op] of Object.entries(ops)){(byTag[op.tags?.[0]??'Other']??=[]).push({path,method,op});}
  let html='<p>'+esc(spec.info.description)+'</p><p>Base URL: <code>'+esc(spec.servers?.[0]?.url)+'</code>. Send <code>Authorization: Bearer &lt;token&gt;</code> from <code>POST /auth/login</code>.</p>';
  for(const [tag,ops] of Object.entries(byTag)){
    html+='<h2>'+esc(tag)+'</h2>';
    for(const {path,method,op} of ops){
      html+='<details><summary><span class="m '+method+'">'+method.toUpperCase()+'</span>'+esc(path)+' — '+esc(op.summary)+'</summary>';
      if(op.parameters?.length)html+='<h4>Parameters</h4><ul>'+op.parameters.map(p=>'<li><code>'+esc(p.name)+'</code> ('+esc(p.in)+(p.required?', required':'')+') '+esc(p.description??p.schema?.description??'')+'</li>').join('')+'</ul>';
      const body=op.requestBody?.content?.['application/json']?.schema;if(body)html+='<h4>Body</h4>'+show(body);
      html+='<h4>Responses</h4><ul>'+Object.entries(op.responses).map(([code,r])=>'<li><b>'+code+'</b> '+esc(r.description)+'</li>').join('')+'</ul>';
      const ok=Object.entries(op.responses).find(([code])=>code.startsWith('2'))?.[1]?.content?.['application/json']?.schema;if(ok)html+=show(ok);
      html+='</details>';
    }
  }
  document.getElementById('root').innerHTML=html;
}).catch(e=>{document.getElementById('root').textContent='Could not load the API description: '+e;});
</script></body></html>`;
}
