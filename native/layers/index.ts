export { asDense, layerShape, loadLayer, loadLayerFrom, neuronCount } from './layer.js';
export type { ConvMode, LayerData, LayerOptions, LayerShape } from './layer.js';
