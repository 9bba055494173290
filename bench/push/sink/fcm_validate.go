package main

// What the sink accepts as an FCM v1 `messages:send` body: a port of validateFcmRequest
// (services/push/src/testing/fcm-message-validation.ts), same checks, same order, same messages.

import (
	"math"
	"strings"
)

func fieldSet(names ...string) map[string]bool {
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[n] = true
	}
	return set
}

var (
	messageFields             = fieldSet("name", "token", "topic", "condition", "data", "notification", "android", "webpush", "apns", "fcm_options")
	notificationFields        = fieldSet("title", "body", "image")
	androidFields             = fieldSet("collapse_key", "priority", "ttl", "restricted_package_name", "data", "notification", "fcm_options", "direct_boot_ok")
	androidNotificationFields = fieldSet(
		"title", "body", "icon", "color", "sound", "tag", "click_action", "body_loc_key", "body_loc_args", "title_loc_key",
		"title_loc_args", "channel_id", "ticker", "sticky", "event_time", "local_only", "notification_priority",
		"default_sound", "default_vibrate_timings", "default_light_settings", "vibrate_timings", "visibility", "notification_count", "image",
	)
	apnsFields       = fieldSet("headers", "payload", "fcm_options", "live_activity_token")
	reservedDataKeys = fieldSet("from", "notification", "message_type")
)

// validateFcmRequest returns the INVALID_ARGUMENT message FCM would give, or "" when the body is acceptable.
func validateFcmRequest(body *jvalue) string {
	if !body.isObject() {
		return "Invalid JSON payload received. Expected an object."
	}
	for i := range body.members {
		if key := string(body.members[i].key); key != "message" && key != "validate_only" {
			return `Invalid JSON payload received. Unknown name "` + key + `": Cannot find field.`
		}
	}
	message := body.get("message")
	if !message.isObject() {
		return "Request contains an invalid argument: message is required."
	}
	if p := unknownField(message, messageFields, "message"); p != "" {
		return p
	}
	if p := checkTarget(message); p != "" {
		return p
	}
	if p := checkNotification(message.get("notification")); p != "" {
		return p
	}
	if p := checkData(message.get("data"), "message.data"); p != "" {
		return p
	}
	if p := checkAndroid(message.get("android")); p != "" {
		return p
	}
	return checkApns(message.get("apns"))
}

func checkTarget(message *jvalue) string {
	token := message.get("token")
	targets := 0
	for _, v := range []*jvalue{token, message.get("topic"), message.get("condition")} {
		if v != nil {
			targets++
		}
	}
	if targets != 1 {
		return "Exactly one of message.token, message.topic or message.condition must be set."
	}
	if token != nil && (token.kind != kindString || len(token.raw) == 0) {
		return "The registration token is not a valid FCM registration token"
	}
	return ""
}

func checkNotification(v *jvalue) string {
	if v == nil {
		return ""
	}
	if !v.isObject() {
		return "Invalid value at 'message.notification': expected an object."
	}
	if p := unknownField(v, notificationFields, "message.notification"); p != "" {
		return p
	}
	return stringFields(v, "message.notification")
}

func checkData(v *jvalue, where string) string {
	if v == nil {
		return ""
	}
	if !v.isObject() {
		return "Invalid value at '" + where + "': expected a map of strings."
	}
	for i := range v.members {
		key := string(v.members[i].key)
		if v.members[i].val.kind != kindString {
			return "Invalid value at '" + where + "[" + key + "]': expected a string."
		}
		if reservedDataKeys[key] || strings.HasPrefix(key, "google.") || strings.HasPrefix(key, "gcm.") {
			return "Invalid data payload key: " + key
		}
	}
	return ""
}

func checkAndroid(v *jvalue) string {
	if v == nil {
		return ""
	}
	if !v.isObject() {
		return "Invalid value at 'message.android': expected an object."
	}
	if p := unknownField(v, androidFields, "message.android"); p != "" {
		return p
	}
	if p := checkData(v.get("data"), "message.android.data"); p != "" {
		return p
	}
	if c := v.get("collapse_key"); c != nil && c.kind != kindString {
		return "Invalid value at 'message.android.collapse_key'."
	}
	notification := v.get("notification")
	if notification == nil {
		return ""
	}
	if !notification.isObject() {
		return "Invalid value at 'message.android.notification': expected an object."
	}
	if count := notification.get("notification_count"); count != nil && !isNonNegativeInteger(count) {
		return "Invalid value at 'message.android.notification.notification_count': expected a non-negative integer."
	}
	if tag := notification.get("tag"); tag != nil && tag.kind != kindString {
		return "Invalid value at 'message.android.notification.tag'."
	}
	return unknownField(notification, androidNotificationFields, "message.android.notification")
}

func checkApns(v *jvalue) string {
	if v == nil {
		return ""
	}
	if !v.isObject() {
		return "Invalid value at 'message.apns': expected an object."
	}
	if p := unknownField(v, apnsFields, "message.apns"); p != "" {
		return p
	}
	if headers := v.get("headers"); headers != nil {
		if !headers.isObject() {
			return "Invalid value at 'message.apns.headers'."
		}
		if p := stringFields(headers, "message.apns.headers"); p != "" {
			return p
		}
	}
	if payload := v.get("payload"); payload != nil && !payload.isObject() {
		return "Invalid value at 'message.apns.payload'."
	}
	return ""
}

// isNonNegativeInteger is Number.isInteger(n) && n >= 0.
func isNonNegativeInteger(v *jvalue) bool {
	if v.kind != kindNumber {
		return false
	}
	n := v.number()
	return !math.IsInf(n, 0) && n == math.Trunc(n) && n >= 0
}

func unknownField(v *jvalue, known map[string]bool, where string) string {
	for i := range v.members {
		if !known[string(v.members[i].key)] {
			return `Invalid JSON payload received. Unknown name "` + string(v.members[i].key) + `" at '` + where + `': Cannot find field.`
		}
	}
	return ""
}

func stringFields(v *jvalue, where string) string {
	for i := range v.members {
		if v.members[i].val.kind != kindString {
			return "Invalid value at '" + where + "." + string(v.members[i].key) + "': expected a string."
		}
	}
	return ""
}
