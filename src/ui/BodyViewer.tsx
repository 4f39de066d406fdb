import { useEffect, useRef } from 'react';
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';

/** A posed body to show: camera-space geometry (OpenCV axes: x right, y down, z forward; metres). */
export interface ViewerBody {
  key: string;
  positions: Float32Array;
  normals: Float32Array;
  indices: Uint32Array;
  color: string;
}

/**
 * A three.js view of posed bodies with orbit controls. Geometry arrives in the reference camera's
 * space; the view flips y and z so "up" is up and the camera starts where the video camera was.
 * The view frames the bodies when they first appear and again whenever `frameKey` changes (a new
 * clip, another person followed), not on every frame, so the user's orbit stays put while scrubbing.
 */
export function BodyViewer({ bodies, groundY, testId, frameKey }: { bodies: ViewerBody[]; groundY: number | null; testId?: string; frameKey?: unknown }) {
  const hostRef = useRef<HTMLDivElement>(null);
  const sceneRef = useRef<{
    renderer: THREE.WebGLRenderer;
    scene: THREE.Scene;
    camera: THREE.PerspectiveCamera;
    controls: OrbitControls;
    root: THREE.Group;
    meshes: Map<string, THREE.Mesh>;
    grid: THREE.GridHelper;
    framed: boolean;
    frameKey: unknown;
    requestRender: () => void;
  } | null>(null);

  useEffect(() => {
    const host = hostRef.current!;
    const renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    renderer.setPixelRatio(Math.min(2, devicePixelRatio));
    host.appendChild(renderer.domElement);
    renderer.domElement.dataset.testid = testId ?? 'body-viewer-canvas';
    const scene = new THREE.Scene();
    scene.background = new THREE.Color('#15181d');
    scene.add(new THREE.HemisphereLight('#ffffff', '#334', 1.6));
    const sun = new THREE.DirectionalLight('#ffffff', 1.4);
    sun.position.set(2, 4, 3);
    scene.add(sun);
    const camera = new THREE.PerspectiveCamera(40, 1, 0.05, 100);
    camera.position.set(0, 0, 0);
    const controls = new OrbitControls(camera, renderer.domElement);
    controls.enableDamping = true;
    // Camera space (y down, z forward) to a y-up view: rotate 180° about x.
    const root = new THREE.Group();
    root.rotation.x = Math.PI;
    scene.add(root);
    const grid = new THREE.GridHelper(10, 20, '#445', '#2a2f38');
    grid.visible = false;
    root.add(grid);
    // Draw on demand (a change, a drag, damping settling), not every animation frame: on a
    // software GL a continuous loop would take a core from decoding and generation.
    let raf = 0;
    const draw = () => {
      raf = 0;
      controls.update(); // fires 'change' again while damping moves the camera
      renderer.render(scene, camera);
    };
    const requestRender = () => {
      if (!raf) raf = requestAnimationFrame(draw);
    };
    controls.addEventListener('change', requestRender);
    const state = { renderer, scene, camera, controls, root, meshes: new Map<string, THREE.Mesh>(), grid, framed: false, frameKey: undefined as unknown, requestRender };
    sceneRef.current = state;
    const resize = () => {
      const { clientWidth: w, clientHeight: h } = host;
      renderer.setSize(w, h, false);
      renderer.domElement.style.width = '100%';
      renderer.domElement.style.height = '100%';
      camera.aspect = w / Math.max(1, h);
      camera.updateProjectionMatrix();
      requestRender();
    };
    resize();
    const observer = new ResizeObserver(resize);
    observer.observe(host);
    return () => {
      cancelAnimationFrame(raf);
      controls.removeEventListener('change', requestRender);
      observer.disconnect();
      controls.dispose();
      for (const m of state.meshes.values()) {
        m.geometry.dispose();
        (m.material as THREE.Material).dispose();
      }
      renderer.dispose();
      renderer.domElement.remove();
      sceneRef.current = null;
    };
  }, [testId]);

  useEffect(() => {
    const s = sceneRef.current;
    if (!s) return;
    const seen = new Set<string>();
    for (const body of bodies) {
      seen.add(body.key);
      let mesh = s.meshes.get(body.key);
      if (!mesh || mesh.geometry.index?.count !== body.indices.length) {
        if (mesh) {
          s.root.remove(mesh);
          mesh.geometry.dispose();
        }
        const geometry = new THREE.BufferGeometry();
        geometry.setIndex(new THREE.BufferAttribute(body.indices, 1));
        geometry.setAttribute('position', new THREE.BufferAttribute(body.positions.slice(), 3));
        geometry.setAttribute('normal', new THREE.BufferAttribute(body.normals.slice(), 3));
        const material = mesh?.material ?? new THREE.MeshStandardMaterial({ color: body.color, roughness: 0.7, side: THREE.DoubleSide });
        mesh = new THREE.Mesh(geometry, material as THREE.Material);
        s.root.add(mesh);
        s.meshes.set(body.key, mesh);
      } else {
        (mesh.geometry.getAttribute('position') as THREE.BufferAttribute).copyArray(body.positions).needsUpdate = true;
        (mesh.geometry.getAttribute('normal') as THREE.BufferAttribute).copyArray(body.normals).needsUpdate = true;
      }
      mesh.geometry.computeBoundingSphere();
    }
    for (const [key, mesh] of s.meshes) {
      if (seen.has(key)) continue;
      s.root.remove(mesh);
      mesh.geometry.dispose();
      s.meshes.delete(key);
    }
    if (groundY !== null) {
      s.grid.visible = true;
      s.grid.position.y = groundY;
    }
    // Frame the bodies (when they first appear, and again for a new clip or person): look at them
    // from slightly above the video camera's position.
    if (s.frameKey !== frameKey) {
      s.frameKey = frameKey;
      s.framed = false;
    }
    if (!s.framed && bodies.length) {
      const box = new THREE.Box3();
      for (const m of s.meshes.values()) box.expandByObject(m);
      if (!box.isEmpty()) {
        const centre = box.getCenter(new THREE.Vector3());
        const size = box.getSize(new THREE.Vector3()).length();
        s.grid.position.x = 0;
        s.controls.target.copy(centre);
        s.camera.position.set(centre.x + size * 0.3, centre.y + size * 0.25, centre.z + size * 1.4);
        s.camera.lookAt(centre);
        s.framed = true;
        const host = hostRef.current;
        if (host) {
          host.dataset.framed = String(Number(host.dataset.framed ?? 0) + 1);
          host.dataset.framedBodies = bodies.map((b) => b.key).join(',');
        }
      }
    }
    s.requestRender();
  }, [bodies, groundY, frameKey]);

  return <div className="body-viewer" ref={hostRef} data-testid={testId ?? 'body-viewer'} />;
}
