export { asDense, loadLayer, loadLayerFrom, neuronCount } from './layer.js';
export type { ConvMode, LayerData, LayerOptions } from './layer.js';
