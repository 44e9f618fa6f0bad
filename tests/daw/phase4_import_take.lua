-- JukeboxBridge in Ardour, phase 4: import the take the plugin exported at its BWF timestamp. Ardour 7.3's
-- headless Lua has no import call, so the driver adds the file to the session as an external source with a
-- whole-file region (what an import records, without any position: Ardour reads the time reference from the
-- file itself when it opens the source). This script asks Ardour for the source's timeline position, puts a
-- copy of the region on a new track there, as "Import at timestamp" does, and prints where it landed.
-- Run by run_ardour_e2e.sh:  JB_TAKE_SOURCE=ID JB_TAKE_REGION=ID ardour7-lua phase4_import_take.lua SESSION_DIR
local dir = assert(arg[1], "usage: phase4_import_take.lua SESSION_DIR")
local src_id = assert(os.getenv("JB_TAKE_SOURCE"), "JB_TAKE_SOURCE")
local region_id = assert(os.getenv("JB_TAKE_REGION"), "JB_TAKE_REGION")
AudioEngine:set_backend("None (Dummy)", "", ""):set_device_name("Silence")
assert(load_session(dir, "jb"), "load_session failed")
local src = Session:source_by_id(PBD.ID(src_id))
assert(not src:isnil(), "the take's source is not in the session")
local at = src:timeline_position()
print("SOURCE " .. src:to_filesource():path() .. " TIMESTAMP " .. at:samples())
local whole = ARDOUR.RegionFactory.region_by_id(PBD.ID(region_id))
assert(not whole:isnil(), "the take's whole-file region is not in the session")
local region = ARDOUR.RegionFactory.clone_region(whole, true, false)
local track = Session:new_audio_track(1, 2, nil, 1, "Take", ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true):front()
track:playlist():add_region(region, at, 1, false, 0, 0, false)
for placed in track:playlist():region_list():iter() do
  print(string.format("IMPORTED at %d length %d", placed:position():samples(), placed:length():samples()))
end
