'use strict';
/**
 * A request body as the uint8 [N, H, W, C] tensor sslmem scores: a PNG or JPEG (one image, decoded
 * with sharp, which sslmem already depends on) or raw pixels with their shape in a header.
 */
const sharp = require('sharp');
const { HttpError } = require('./http-error');

const RAW_SHAPE_HEADER = 'x-image-shape';

/** @param {string} header @param {number} channels @param {number} maxImages */
function parseShape(header, channels, maxImages) {
  const parts = String(header).split(',').map((p) => p.trim());
  const shape = parts.map(Number);
  if (shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new HttpError(400, `Expected N,H,W,C (positive integers) for the ${RAW_SHAPE_HEADER} header but received ${header}`);
  }
  if (shape[3] !== channels) throw new HttpError(400, `Expected ${channels} channels (the encoders') in the ${RAW_SHAPE_HEADER} header but received ${shape[3]}`);
  if (shape[0] > maxImages) throw new HttpError(400, `Expected at most ${maxImages} images per request in the ${RAW_SHAPE_HEADER} header but received ${shape[0]}`);
  return shape;
}

/**
 * @param {Buffer} body
 * @param {string | undefined} contentType
 * @param {{headers: Record<string, string | string[] | undefined>, channels: number, maxImages: number, maxPixels: number}} context
 * @returns {Promise<{data: Uint8Array, shape: number[]}>}
 */
async function decodeImages(body, contentType, { headers, channels, maxImages, maxPixels }) {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/octet-stream') {
    const header = headers[RAW_SHAPE_HEADER];
    if (header === undefined) throw new HttpError(400, `Expected a ${RAW_SHAPE_HEADER}: N,H,W,C header with raw pixels but received none`);
    const shape = parseShape(header, channels, maxImages);
    if (shape[1] * shape[2] > maxPixels) throw new HttpError(413, `Expected at most ${maxPixels} pixels per image but received ${shape[1]}x${shape[2]}`);
    const expected = shape.reduce((a, b) => a * b, 1);
    if (body.length !== expected) throw new HttpError(400, `Expected ${expected} bytes for shape ${shape.join('x')} but received ${body.length}`);
    return { data: new Uint8Array(body.buffer, body.byteOffset, body.length), shape };
  }
  if (type !== 'image/png' && type !== 'image/jpeg') {
    throw new HttpError(415, `Expected image/png, image/jpeg or application/octet-stream for the content type but received ${type || 'none'}`);
  }
  let pipeline = sharp(body, { limitInputPixels: maxPixels, failOn: 'error' });
  pipeline = channels === 1 ? pipeline.grayscale() : pipeline.removeAlpha().toColourspace('srgb');
  let decoded;
  try {
    decoded = await pipeline.raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    const tooLarge = /pixel limit/i.test(error.message);
    throw new HttpError(tooLarge ? 413 : 400, `Expected a decodable ${type} image${tooLarge ? ` of at most ${maxPixels} pixels` : ''} but decoding failed: ${error.message}`);
  }
  const { width, height, channels: got } = decoded.info;
  if (got !== channels) throw new HttpError(400, `Expected an image with ${channels} channels but received ${got}`);
  return { data: new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.length), shape: [1, height, width, channels] };
}

module.exports = { decodeImages, RAW_SHAPE_HEADER };
