import { parseDocument, LineCounter } from 'yaml';
function t(name, text){ const s=performance.now(); try { const d=parseDocument(text,{lineCounter:new LineCounter(), uniqueKeys:false}); const t1=performance.now(); d.toJS({maxAliasCount:100}); console.log(name,text.length,'errs',d.errors.length, d.errors[0]?.message.slice(0,60),'parse',(t1-s).toFixed(1),'toJS',(performance.now()-t1).toFixed(1)); } catch(e){console.log(name,'THROW',e.message.slice(0,80),(performance.now()-s).toFixed(1));} }
let lines=''; for (let i=0;i<50000;i++) lines += `k${i}: value ${i}\n`;
t('wide', lines);
t('seq', '- 1\n'.repeat(260000));
t('flowseq', '[' + '1,'.repeat(500000) + ']');
t('flowmap', '{' + Array.from({length:100000},(_, i)=>`k${i}: 1`).join(',') + '}');
