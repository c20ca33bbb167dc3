/* placeholder: being written */
#include "gstmeshrtcelements.h"
gboolean gst_element_register_rtcmeshfanout (GstPlugin * plugin) { return TRUE; }
