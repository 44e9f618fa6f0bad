-- JukeboxBridge in Ardour, phase 2: reload the session, play the loop (the plugin captures one pass and,
-- with Auto on, sends it to the daemon), then export the session range twice through the master bus:
-- with the plugin (offline: it waits for the daemon's blocks) and with the plugin deactivated (the input).
-- Run by run_ardour_e2e.sh:  ardour7-lua phase2_loop_export.lua SESSION_DIR
local dir = assert(arg[1], "usage: phase2_loop_export.lua SESSION_DIR")
local vst3dir = os.getenv("JB_VST3_DIR")
local preset = os.getenv("JB_PRESET")
local loop_s = tonumber(os.getenv("JB_LOOP_S") or "5")
local TRS = ARDOUR.TransportRequestSource.TRS_UI
local T = ARDOUR.LuaAPI.monotonic_time()
local function step(msg) print(string.format("[%7.3fs] %s", (ARDOUR.LuaAPI.monotonic_time() - T) / 1e6, msg)) end
local function wait_stopped() for _ = 1, 100 do if not Session:transport_rolling() then return end sleep(0.1) end end

if vst3dir and vst3dir ~= "" then ARDOUR.config():set_plugin_path_vst3(vst3dir) end
step("rescan: " .. ARDOUR.LuaAPI.dump_untagged_plugins())
AudioEngine:set_backend("None (Dummy)", "", ""):set_device_name("Silence")
assert(load_session(dir, "jb"), "load_session failed")
local t = Session:route_by_name("Clip"):to_track()
local p = t:nth_plugin(0)
assert(not p:isnil() and p:to_plugininsert() and not p:to_plugininsert():isnil(), "plugin missing after reload")
step("RELOADED plugin '" .. p:name() .. "', Auto = " .. ARDOUR.LuaAPI.get_processor_param(p, 1))

local loop = Session:locations():auto_loop_location()
assert(loop, "no loop range")
step(string.format("LOOP %d..%d", loop:start():samples(), loop:_end():samples()))
Session:request_play_loop(true, true)
Session:request_roll(TRS)
sleep(loop_s)
Session:request_stop(false, false, TRS)
wait_stopped()
Session:request_play_loop(false, false)
step("looped playback done")

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
export("with_plugin")
p:deactivate()
export("plugin_off")
p:activate()
Session:save_state("", false, false, false, false, false)
step("phase 2 done")
