// The step-through player: inlined into each page by player.py; reads the JSON in #data.
(function(){
"use strict";
const D=JSON.parse(document.getElementById("data").textContent);
const $=id=>document.getElementById(id);
const steps=D.steps,N=steps.length;
const svg=document.querySelector("#picture svg");
const nodeEl={},edgeEls={},clusterEl={},valueEl={},gradEl={},clusterOf={};
for(const g of svg.querySelectorAll("g.node")){
  const id=g.querySelector("title").textContent;nodeEl[id]=g;
  for(const t of g.querySelectorAll("text")){
    const f=(t.getAttribute("fill")||"").toLowerCase();
    if(f===D.valueColor)valueEl[id]=t;else if(f===D.gradColor)gradEl[id]=t;
  }
}
for(const g of svg.querySelectorAll("g.edge")){
  const key=g.querySelector("title").textContent;(edgeEls[key]=edgeEls[key]||[]).push(g);
}
for(const g of svg.querySelectorAll("g.cluster")){
  const name=g.querySelector("title").textContent;clusterEl[name]=g;
}
for(const [name,c] of Object.entries(D.clusters))for(const m of c.members)(clusterOf[m]=clusterOf[m]||[]).push(name);
// which steps touch which nodes and edges: a move from step a to b redraws only those
const edgeStep={};
steps.forEach((s,i)=>{if(s.k==="b")(edgeStep[s.i+"->"+s.n]=edgeStep[s.i+"->"+s.n]||[]).push(i+1);});
let k=0,timer=null,selected=null;
const shut=new Set();
function gradAt(id,at){let text=null;for(const [s,t] of D.nodes[id].g){if(s<=at)text=t;else break;}return text;}
const hidden=new Set(),dirty=new Set(); // nodes inside shut clusters are redrawn when they show again
function drawNode(id){
  const n=D.nodes[id],g=nodeEl[id];if(!g)return;
  if(hidden.has(id)){dirty.add(id);return;}
  const on=n.c<=k;g.classList.toggle("future",!on);
  if(valueEl[id])valueEl[id].style.visibility=on?"visible":"hidden";
  if(gradEl[id]){const t=gradAt(id,k);gradEl[id].style.visibility=t===null?"hidden":"visible";if(t!==null)gradEl[id].textContent="grad "+t;}
}
function drawEdge(key){
  const at=edgeStep[key]||[];const back=at.some(s=>s<=k);
  for(const g of edgeEls[key]||[])g.classList.toggle("back",back);
}
function visibleBox(id){ // the node itself, or the outermost collapsed cluster hiding it
  for(const c of clusterOf[id]||[])if(shut.has(c))return clusterEl[c];
  return nodeEl[id];
}
let marked=[];
function mark(){
  for(const el of marked)el.classList.remove("cur");marked=[];
  const s=steps[k-1];if(!s)return;
  const ids=s.k==="b"?[s.n,s.i]:[s.n];
  for(const id of ids){const el=visibleBox(id);if(el){el.classList.add("cur");marked.push(el);}}
  if(s.k==="b")for(const g of edgeEls[s.i+"->"+s.n]||[]){g.classList.add("cur");marked.push(g);}
  const el=visibleBox(s.k==="b"?s.i:s.n);
  if(el&&el.scrollIntoView)el.scrollIntoView({block:"nearest",inline:"nearest"});
}
function esc(t){return String(t).replace(/[&<>"]/g,c=>({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"})[c]);}
function stepText(){
  const s=steps[k-1];
  if(!s)return `<b>Step 0 of ${N}</b>: nothing computed yet; only the inputs (leaves) hold values. `+
    `Press → or <i>next</i> to run the forward pass one op at a time, then the backward pass one edge at a time.`;
  if(s.k==="f")return `<b>Forward ${k} of ${D.forward}</b><br>${esc(s.t)}<br>value <b>${esc(s.v)}</b>`;
  return `<b>Backward ${k-D.forward} of ${N-D.forward}</b>: ${esc(s.t)}<table>`+
    `<tr><td>upstream</td><td>${esc(s.u)}</td><td class="muted">d ${esc(D.root)} / d node</td></tr>`+
    `<tr><td>local</td><td>${esc(s.l)}</td><td class="muted">d node / d input</td></tr>`+
    `<tr><td>contribution</td><td><b>${esc(s.c)}</b></td><td class="muted">sent to the input (upstream × local for scalars)</td></tr></table>`+
    `${esc(s.ig)}.grad so far = <b>${esc(s.g)}</b>`;
}
function gradsText(){
  const items=[];
  for(const [id,n] of Object.entries(D.nodes)){if(!n.var)continue;const t=gradAt(id,k);
    items.push(`<li>${esc(n.name)}.grad = ${t===null?'<span class="muted">nothing yet</span>':"<b>"+esc(t)+"</b>"}</li>`);}
  return items.length?`Variables' gradients so far:<ul>${items.join("")}</ul>`:`<span class="muted">No variable requires grad.</span>`;
}
function inspect(id){
  if(id===null){$("inspect").innerHTML="<i>Hover over or click a node to see its value and gradient.</i>";return;}
  const n=D.nodes[id];const t=gradAt(id,k);
  $("inspect").innerHTML=`<b>${esc(n.name)}</b> <span class="muted">${esc(n.kind)}${n.shape?", shape "+esc(n.shape):""}</span><br>`+
    `value: ${n.c<=k?"<b>"+esc(n.value)+"</b>":'<span class="muted">not computed yet</span>'}<br>`+
    `gradient: ${t===null?'<span class="muted">none yet</span>':"<b>"+esc(t)+"</b>"}`;
}
function go(to,force){
  to=Math.max(0,Math.min(N,to|0));if(to===k&&!force)return;
  const lo=force?0:Math.min(k,to),hi=force?N:Math.max(k,to);k=to;
  const ids=new Set(),keys=new Set();
  for(let i=lo;i<hi;i++){const s=steps[i];ids.add(s.n);if(s.k==="b"){ids.add(s.i);keys.add(s.i+"->"+s.n);}}
  if(force)for(const id in D.nodes)ids.add(id);
  for(const id of ids)drawNode(id);for(const key of keys)drawEdge(key);
  mark();
  $("slider").value=k;$("counter").textContent=`step ${k} / ${N}`+(k===0?"":k<=D.forward?" · forward":" · backward");
  $("step").innerHTML=stepText();$("grads").innerHTML=gradsText();
  if(selected!==null)inspect(selected);
  if(k>=N)pause();
}
function setShut(name,on){if(D.clusters[name]&&clusterEl[name]){on?shut.add(name):shut.delete(name);refresh();}}
function refresh(){ // what the shut clusters hide: their nodes, inner clusters and edges
  hidden.clear();
  for(const name of shut)for(const m of D.clusters[name].members)hidden.add(m);
  for(const id of [...dirty])if(!hidden.has(id)){dirty.delete(id);drawNode(id);}
  for(const [id,g] of Object.entries(nodeEl))g.classList.toggle("hide",hidden.has(id));
  for(const [name,c] of Object.entries(D.clusters)){
    const g=clusterEl[name];if(!g)continue;let up=c.parent,inside=false;
    while(up){if(shut.has(up))inside=true;up=D.clusters[up].parent;}
    g.classList.toggle("hide",inside);g.classList.toggle("shut",shut.has(name));
    const label=g.querySelector("text");
    if(label)label.textContent=shut.has(name)?`▸ ${c.title} (${c.members.length} nodes)`:"▾ "+c.title;
  }
  for(const [key,gs] of Object.entries(edgeEls)){const [a,b]=key.split("->");
    for(const g of gs)g.classList.toggle("hide",hidden.has(a)&&hidden.has(b));}
  mark();
}
function play(){if(timer!==null)return;if(k>=N)go(0);timer=setInterval(()=>go(k+1),700);$("play").textContent="❚❚ pause";}
function pause(){if(timer!==null){clearInterval(timer);timer=null;}$("play").textContent="▶ play";}
$("slider").max=N;
$("first").onclick=()=>{pause();go(0);};$("prev").onclick=()=>{pause();go(k-1);};
$("next").onclick=()=>{pause();go(k+1);};$("last").onclick=()=>{pause();go(N);};
$("play").onclick=()=>timer===null?play():pause();
$("slider").oninput=e=>{pause();go(+e.target.value);};
const keys=e=>{
  const t=e.target&&e.target.tagName;if(t==="INPUT"&&e.target.type!=="range")return;
  const act={ArrowRight:()=>go(k+1),ArrowLeft:()=>go(k-1),Home:()=>go(0),End:()=>go(N),
    " ":()=>timer===null?play():pause()}[e.key];
  if(act){e.preventDefault();if(e.key!==" ")pause();act();}
};
document.addEventListener("keydown",keys);
for(const [id,g] of Object.entries(nodeEl)){
  g.addEventListener("mouseenter",()=>inspect(id));
  g.addEventListener("mouseleave",()=>inspect(selected));
  g.addEventListener("click",e=>{e.stopPropagation();
    if(selected!==null&&nodeEl[selected])nodeEl[selected].classList.remove("sel");
    selected=selected===id?null:id;if(selected!==null)g.classList.add("sel");inspect(selected);});
}
for(const [name,g] of Object.entries(clusterEl))
  g.addEventListener("click",e=>{e.stopPropagation();setShut(name,!shut.has(name));});
if(D.collapsed)for(const name of Object.keys(D.clusters))if(clusterEl[name])shut.add(name);
refresh();
go(0,true);
if(window.top===window)$("player").focus(); // not inside a notebook's iframe: keys stay with the notebook
})();
