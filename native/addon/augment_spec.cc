#include "augment_spec.h"

#include <cmath>

#include "args.h"

namespace sslmem {

namespace {

// An optional nested object: nullptr-like (IsEmpty) result when absent or undefined.
bool read_optional_object(const Napi::Object& parent, const char* key, const std::string& arg, Napi::Object* out) {
  Napi::Value value = parent.Get(key);
  if (value.IsUndefined() || value.IsNull()) return false;
  *out = read_object(value, arg);
  return true;
}

double required_number(const Napi::Object& object, const char* key, const std::string& arg) {
  Napi::Value value = object.Get(key);
  if (!value.IsNumber()) throw_type(arg, "a number", describe_value(value));
  return value.As<Napi::Number>().DoubleValue();
}

void read_pair(const Napi::Object& object, const char* key, const std::string& arg, double* lo, double* hi) {
  Napi::Value value = object.Get(key);
  if (value.IsUndefined()) return;
  if (!value.IsArray() || value.As<Napi::Array>().Length() != 2) {
    throw_type(arg, "an array [low, high]", describe_value(value));
  }
  Napi::Array pair = value.As<Napi::Array>();
  Napi::Value a = pair.Get(0u), b = pair.Get(1u);
  if (!a.IsNumber()) throw_type(arg + "[0]", "a number", describe_value(a));
  if (!b.IsNumber()) throw_type(arg + "[1]", "a number", describe_value(b));
  *lo = a.As<Napi::Number>().DoubleValue();
  *hi = b.As<Napi::Number>().DoubleValue();
}

int read_side(const Napi::Value& value, const std::string& arg) {
  if (!value.IsNumber()) throw_type(arg, "a positive integer", describe_value(value));
  double d = value.As<Napi::Number>().DoubleValue();
  if (!(d >= 1 && d <= 16384) || std::floor(d) != d) throw_range(arg, "an integer in [1, 16384]", to_text(d));
  return static_cast<int>(d);
}

int read_channel_list(const Napi::Object& object, const char* key, const std::string& arg, double* values) {
  Napi::Value value = object.Get(key);
  if (!value.IsArray()) throw_type(arg, "an array of numbers (one per channel)", describe_value(value));
  Napi::Array list = value.As<Napi::Array>();
  if (list.Length() < 1 || list.Length() > static_cast<uint32_t>(kMaxChannels)) {
    throw_range(arg, "1 to 3 values (one per channel)", to_text(list.Length()) + " values");
  }
  for (uint32_t k = 0; k < list.Length(); ++k) {
    Napi::Value v = list.Get(k);
    if (!v.IsNumber()) throw_type(arg + "[" + to_text(k) + "]", "a number", describe_value(v));
    values[k] = v.As<Napi::Number>().DoubleValue();
  }
  return static_cast<int>(list.Length());
}

ViewSpec read_view_spec(const Napi::Value& value, const std::string& at) {
  Napi::Object view = read_object(value, at);
  ViewSpec v;
  Napi::Value size = view.Get("size");
  if (size.IsNumber()) {
    v.out_h = v.out_w = read_side(size, at + ".size");
  } else if (size.IsArray() && size.As<Napi::Array>().Length() == 2) {
    v.out_h = read_side(size.As<Napi::Array>().Get(0u), at + ".size[0]");
    v.out_w = read_side(size.As<Napi::Array>().Get(1u), at + ".size[1]");
  } else if (!size.IsUndefined()) {
    throw_type(at + ".size", "a positive integer or [height, width]", describe_value(size));
  }
  Napi::Object o;
  if (read_optional_object(view, "crop", at + ".crop", &o)) {
    v.crop.enabled = true;
    read_pair(o, "scale", at + ".crop.scale", &v.crop.scale_min, &v.crop.scale_max);
    read_pair(o, "ratio", at + ".crop.ratio", &v.crop.ratio_min, &v.crop.ratio_max);
    v.crop.antialias = read_bool(o, "antialias", at + ".crop.antialias", false);
  }
  v.flip = read_number(view, "flip", at + ".flip", 0.0);
  if (read_optional_object(view, "colorJitter", at + ".colorJitter", &o)) {
    v.jitter.p = required_number(o, "p", at + ".colorJitter.p");
    v.jitter.brightness = read_number(o, "brightness", at + ".colorJitter.brightness", 0.0);
    v.jitter.contrast = read_number(o, "contrast", at + ".colorJitter.contrast", 0.0);
    v.jitter.saturation = read_number(o, "saturation", at + ".colorJitter.saturation", 0.0);
    v.jitter.hue = read_number(o, "hue", at + ".colorJitter.hue", 0.0);
  }
  v.grayscale = read_number(view, "grayscale", at + ".grayscale", 0.0);
  if (read_optional_object(view, "blur", at + ".blur", &o)) {
    v.blur.p = required_number(o, "p", at + ".blur.p");
    double k = required_number(o, "kernelSize", at + ".blur.kernelSize");
    if (std::floor(k) != k || !(std::fabs(k) < 1e6)) throw_range(at + ".blur.kernelSize", "an odd positive integer", to_text(k));
    v.blur.kernel_size = static_cast<int>(k);
    read_pair(o, "sigma", at + ".blur.sigma", &v.blur.sigma_min, &v.blur.sigma_max);
  }
  if (read_optional_object(view, "solarize", at + ".solarize", &o)) {
    v.solarize.p = required_number(o, "p", at + ".solarize.p");
    v.solarize.threshold = read_number(o, "threshold", at + ".solarize.threshold", 0.5);
  }
  if (read_optional_object(view, "normalize", at + ".normalize", &o)) {
    v.normalize.enabled = true;
    v.normalize.count = read_channel_list(o, "mean", at + ".normalize.mean", v.normalize.mean);
    int std_count = read_channel_list(o, "std", at + ".normalize.std", v.normalize.std);
    if (std_count != v.normalize.count) {
      throw_range(at + ".normalize.std", to_text(v.normalize.count) + " values (as many as mean)", to_text(std_count) + " values");
    }
  }
  return v;
}

Napi::Value nullable_number(Napi::Env env, bool present, double value) {
  return present ? Napi::Value(Napi::Number::New(env, value)) : env.Null();
}

double nullable_factor(const Napi::Object& o, const char* key, const std::string& arg, bool* present, double fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsNull() || v.IsUndefined()) {
    *present = false;
    return fallback;
  }
  if (!v.IsNumber()) throw_type(arg, "a number or null", describe_value(v));
  *present = true;
  return v.As<Napi::Number>().DoubleValue();
}

int int_field(const Napi::Object& o, const char* key, const std::string& arg) {
  double d = required_number(o, key, arg);
  if (std::floor(d) != d || !(std::fabs(d) < 2e9)) throw_range(arg, "an integer", to_text(d));
  return static_cast<int>(d);
}

}  // namespace

PipelineSpec read_pipeline_spec(const Napi::Value& value, const std::string& arg) {
  Napi::Object object = read_object(value, arg);
  PipelineSpec spec;
  spec.name = read_string(object, "name", arg + ".name", "");
  Napi::Value views = object.Get("views");
  if (!views.IsArray()) throw_type(arg + ".views", "an array of view specs", describe_value(views));
  Napi::Array list = views.As<Napi::Array>();
  for (uint32_t i = 0; i < list.Length(); ++i) {
    spec.views.push_back(read_view_spec(list.Get(i), arg + ".views[" + std::to_string(i) + "]"));
  }
  return spec;
}

std::vector<CropGroup> read_crop_groups(const Napi::Value& value, const std::string& arg) {
  if (!value.IsArray()) throw_type(arg, "an array of {pipeline, count} groups", describe_value(value));
  Napi::Array list = value.As<Napi::Array>();
  std::vector<CropGroup> groups;
  for (uint32_t g = 0; g < list.Length(); ++g) {
    std::string at = arg + "[" + to_text(g) + "]";
    Napi::Object group = read_object(list.Get(g), at);
    CropGroup crop_group;
    crop_group.pipeline = read_pipeline_spec(group.Get("pipeline"), at + ".pipeline");
    int64_t count = read_int(group, "count", at + ".count", 0);
    if (count < 1 || count > 1000000) throw_range(at + ".count", "an integer in [1, 1000000]", to_text(count));
    crop_group.count = static_cast<int>(count);
    groups.push_back(std::move(crop_group));
  }
  return groups;
}

Napi::Object view_params_to_js(Napi::Env env, const ViewParams& p, int channels) {
  Napi::Object out = Napi::Object::New(env);
  Napi::Object crop = Napi::Object::New(env);
  crop.Set("top", p.crop_top), crop.Set("left", p.crop_left), crop.Set("height", p.crop_h), crop.Set("width", p.crop_w);
  out.Set("crop", crop);
  Napi::Array size = Napi::Array::New(env, 2);
  size.Set(0u, p.out_h), size.Set(1u, p.out_w);
  out.Set("size", size);
  out.Set("antialias", p.antialias);
  out.Set("flip", p.flip);
  if (p.jitter) {
    Napi::Object j = Napi::Object::New(env);
    Napi::Array order = Napi::Array::New(env, 4);
    for (uint32_t k = 0; k < 4; ++k) order.Set(k, p.jitter_order[k]);
    j.Set("order", order);
    j.Set("brightness", nullable_number(env, p.has_brightness, p.brightness));
    j.Set("contrast", nullable_number(env, p.has_contrast, p.contrast));
    j.Set("saturation", nullable_number(env, p.has_saturation, p.saturation));
    j.Set("hue", nullable_number(env, p.has_hue, p.hue));
    out.Set("colorJitter", j);
  } else {
    out.Set("colorJitter", env.Null());
  }
  out.Set("grayscale", p.grayscale);
  if (p.blur) {
    Napi::Object b = Napi::Object::New(env);
    b.Set("kernelSize", p.blur_kernel), b.Set("sigma", p.blur_sigma);
    out.Set("blur", b);
  } else {
    out.Set("blur", env.Null());
  }
  if (p.solarize) {
    Napi::Object s = Napi::Object::New(env);
    s.Set("threshold", p.solarize_threshold);
    out.Set("solarize", s);
  } else {
    out.Set("solarize", env.Null());
  }
  if (p.normalize) {
    Napi::Object n = Napi::Object::New(env);
    Napi::Array mean = Napi::Array::New(env, channels), std = Napi::Array::New(env, channels);
    for (int c = 0; c < channels; ++c) mean.Set(c, p.mean[c]), std.Set(c, p.std[c]);
    n.Set("mean", mean), n.Set("std", std);
    out.Set("normalize", n);
  } else {
    out.Set("normalize", env.Null());
  }
  return out;
}

ViewParams view_params_from_js(const Napi::Value& value, const std::string& arg) {
  Napi::Object o = read_object(value, arg);
  ViewParams p;
  Napi::Object crop = read_object(o.Get("crop"), arg + ".crop");
  p.crop_top = int_field(crop, "top", arg + ".crop.top");
  p.crop_left = int_field(crop, "left", arg + ".crop.left");
  p.crop_h = int_field(crop, "height", arg + ".crop.height");
  p.crop_w = int_field(crop, "width", arg + ".crop.width");
  Napi::Value size = o.Get("size");
  if (!size.IsArray() || size.As<Napi::Array>().Length() != 2) throw_type(arg + ".size", "[height, width]", describe_value(size));
  p.out_h = read_side(size.As<Napi::Array>().Get(0u), arg + ".size[0]");
  p.out_w = read_side(size.As<Napi::Array>().Get(1u), arg + ".size[1]");
  p.antialias = read_bool(o, "antialias", arg + ".antialias", false);
  p.flip = read_bool(o, "flip", arg + ".flip", false);
  Napi::Value jitter = o.Get("colorJitter");
  if (!jitter.IsNull() && !jitter.IsUndefined()) {
    Napi::Object j = read_object(jitter, arg + ".colorJitter");
    p.jitter = true;
    Napi::Value order = j.Get("order");
    if (!order.IsArray() || order.As<Napi::Array>().Length() != 4) {
      throw_type(arg + ".colorJitter.order", "a permutation of [0, 1, 2, 3]", describe_value(order));
    }
    for (uint32_t k = 0; k < 4; ++k) {
      Napi::Value v = order.As<Napi::Array>().Get(k);
      if (!v.IsNumber()) throw_type(arg + ".colorJitter.order[" + to_text(k) + "]", "an integer", describe_value(v));
      p.jitter_order[k] = v.As<Napi::Number>().Int32Value();
    }
    p.brightness = nullable_factor(j, "brightness", arg + ".colorJitter.brightness", &p.has_brightness, 1.0);
    p.contrast = nullable_factor(j, "contrast", arg + ".colorJitter.contrast", &p.has_contrast, 1.0);
    p.saturation = nullable_factor(j, "saturation", arg + ".colorJitter.saturation", &p.has_saturation, 1.0);
    p.hue = nullable_factor(j, "hue", arg + ".colorJitter.hue", &p.has_hue, 0.0);
  }
  p.grayscale = read_bool(o, "grayscale", arg + ".grayscale", false);
  Napi::Value blur = o.Get("blur");
  if (!blur.IsNull() && !blur.IsUndefined()) {
    Napi::Object b = read_object(blur, arg + ".blur");
    p.blur = true;
    p.blur_kernel = int_field(b, "kernelSize", arg + ".blur.kernelSize");
    p.blur_sigma = required_number(b, "sigma", arg + ".blur.sigma");
  }
  Napi::Value solarize = o.Get("solarize");
  if (!solarize.IsNull() && !solarize.IsUndefined()) {
    Napi::Object s = read_object(solarize, arg + ".solarize");
    p.solarize = true;
    p.solarize_threshold = read_number(s, "threshold", arg + ".solarize.threshold", 0.5);
  }
  Napi::Value normalize = o.Get("normalize");
  if (!normalize.IsNull() && !normalize.IsUndefined()) {
    Napi::Object n = read_object(normalize, arg + ".normalize");
    p.normalize = true;
    int count = read_channel_list(n, "mean", arg + ".normalize.mean", p.mean);
    int std_count = read_channel_list(n, "std", arg + ".normalize.std", p.std);
    if (std_count != count) throw_range(arg + ".normalize.std", to_text(count) + " values (as many as mean)", to_text(std_count) + " values");
  }
  return p;
}

}  // namespace sslmem
