-- JukeboxBridge in Ardour, phase 3: preview, then upsample the chosen variation. Reload the session (after
-- phase 2), set Auto off, Quality = Preview, 3 variations, press Generate and play the loop once (the plugin
-- sends the pass); once the daemon has finished the preview, choose Variation 2 and export (its preview from
-- the loop end), press Upsample selected, and once the upsample is finished export again (offline: the full
-- take of variation 2 plays over its preview from the loop end), then press Export takes (the plugin writes the
-- take as a BWF WAV into $JB_TAKES_DIR/JOB).
-- Run by run_ardour_e2e.sh:  JB_JOBS_DIR=... ardour7-lua phase3_preview_upsample.lua SESSION_DIR
local dir = assert(arg[1], "usage: phase3_preview_upsample.lua SESSION_DIR")
local jobs = assert(os.getenv("JB_JOBS_DIR"), "JB_JOBS_DIR: the daemon's jobs folder of this client")
local vst3dir = os.getenv("JB_VST3_DIR")
local preset = os.getenv("JB_PRESET")
local loop_s = tonumber(os.getenv("JB_LOOP_S") or "5")
local TRS = ARDOUR.TransportRequestSource.TRS_UI
local T = ARDOUR.LuaAPI.monotonic_time()
local function step(msg) print(string.format("[%7.3fs] %s", (ARDOUR.LuaAPI.monotonic_time() - T) / 1e6, msg)) end
local function wait_stopped() for _ = 1, 100 do if not Session:transport_rolling() then return end sleep(0.1) end end

-- The newest job folder of this client, and whether its job.json says it is done.
local function newest()
  local f = io.popen("ls -t '" .. jobs .. "' 2>/dev/null | head -n 1")
  local name = f and f:read("*l") or nil
  if f then f:close() end
  return name
end
local function done(job)
  local f = io.open(jobs .. "/" .. job .. "/job.json")
  if not f then return false end
  local text = f:read("*a")
  f:close()
  return text:find('"done"') ~= nil
end
local function wait_job(after, what)
  for _ = 1, 1200 do   -- up to 120 s
    local j = newest()
    if j and j ~= after and done(j) then step(what .. " done: " .. j); return j end
    sleep(0.1)
  end
  error(what .. " did not finish")
end

if vst3dir and vst3dir ~= "" then ARDOUR.config():set_plugin_path_vst3(vst3dir) end
step("rescan: " .. ARDOUR.LuaAPI.dump_untagged_plugins())
AudioEngine:set_backend("None (Dummy)", "", ""):set_device_name("Silence")
assert(load_session(dir, "jb"), "load_session failed")
local t = Session:route_by_name("Clip"):to_track()
local p = t:nth_plugin(0)
assert(not p:isnil() and p:to_plugininsert() and not p:to_plugininsert():isnil(), "plugin missing after reload")
-- Parameters in plain units: 0 Generate, 1 Auto, 6 Variations, 7 Variation, 11 Quality, 12 Upsample selected,
-- 13 Export takes.
ARDOUR.LuaAPI.set_processor_param(p, 1, 0)
ARDOUR.LuaAPI.set_processor_param(p, 11, 1)
ARDOUR.LuaAPI.set_processor_param(p, 6, 3)
ARDOUR.LuaAPI.set_processor_param(p, 7, 1)
ARDOUR.LuaAPI.set_processor_param(p, 0, 1)
step("PREVIEW settings: Quality " .. ARDOUR.LuaAPI.get_processor_param(p, 11) .. ", Variations " .. ARDOUR.LuaAPI.get_processor_param(p, 6))
local before = newest()

local loop = Session:locations():auto_loop_location()
assert(loop, "no loop range")
Session:request_play_loop(true, true)
Session:request_roll(TRS)
sleep(loop_s)
Session:request_stop(false, false, TRS)
wait_stopped()
Session:request_play_loop(false, false)
ARDOUR.LuaAPI.set_processor_param(p, 0, 0)
local preview = wait_job(before, "preview")
print("PREVIEW_JOB " .. preview)

local srl = Session:locations():session_range_location()
local s0, s1 = srl:start():samples(), srl:_end():samples()
print(string.format("SESSION_RANGE %d %d LOOP_END %d", s0, s1, loop:_end():samples()))
local function export(name)
  local e = Session:simple_export()
  if preset and preset ~= "" then assert(e:set_preset(preset), "export preset not found: " .. preset) end
  e:set_folder(dir .. "/export")
  e:set_name(name)
  e:set_range(s0, s1)
  local ok = e:run_export()
  step("EXPORT " .. name .. " " .. tostring(ok))
  assert(ok, "export failed")
end

ARDOUR.LuaAPI.set_processor_param(p, 7, 2)
sleep(0.5)
export("with_preview")
ARDOUR.LuaAPI.set_processor_param(p, 12, 1)
local upsample = wait_job(preview, "upsample")
print("UPSAMPLE_JOB " .. upsample)
ARDOUR.LuaAPI.set_processor_param(p, 12, 0)
sleep(1)
export("with_upsample")

-- Export takes: the current job's takes (the upsample's one variation) as BWF files in the takes folder.
local takes = os.getenv("JB_TAKES_DIR")
if takes and takes ~= "" then
  ARDOUR.LuaAPI.set_processor_param(p, 13, 1)
  local path = takes .. "/" .. upsample .. "/take-1.wav"
  local found = false
  for _ = 1, 300 do
    local f = io.open(path)
    if f then f:close(); found = true; break end
    sleep(0.1)
  end
  ARDOUR.LuaAPI.set_processor_param(p, 13, 0)
  if found then print("EXPORTED_TAKE " .. path) end
end
step("phase 3 done")
